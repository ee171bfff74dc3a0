// The Open XML SDK's validator (@ooxml-tools/validate) on .docx files. Its start is most of its time, so
// it starts first and then reads the paths to validate from stdin, one per line, while the caller makes them.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import validate, { ready } from "@ooxml-tools/validate";
await ready();
const found = {};
for await (const path of createInterface({ input: process.stdin })) {
  if (path) found[path] = await validate(new Uint8Array(await readFile(path)), "docx");
}
console.log(JSON.stringify(found));
