import { readFile } from "node:fs/promises";
import validate, { ready } from "@ooxml-tools/validate";
await ready();
const found = {};
for (const path of process.argv.slice(2)) {
  found[path] = await validate(new Uint8Array(await readFile(path)), "docx");
}
console.log(JSON.stringify(found));
