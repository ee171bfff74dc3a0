"""Reviewers' comments, from the returned draft to the next one.

anchors.py           the stable anchors every paragraph, figure, table and chart of a draft carries
returned_drafts.py   the comments and tracked changes of the drafts saved into sources/returned/
carried_comments.py  each open thread put back on its anchor in the next draft, or left to settle
"""
