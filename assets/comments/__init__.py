"""The reviewers' comments area: the comments and tracked changes of returned drafts as an asset, and the
sensor on sources/returned/. The drafts carry them forward (pipeline/review/)."""

import dagster as dg

from assets.comments.returned_sensor import returned_drafts
from assets.comments.review_assets import review_comments

defs = dg.Definitions(assets=[review_comments], sensors=[returned_drafts])
