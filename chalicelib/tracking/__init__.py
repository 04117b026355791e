"""Session tracking (DESIGN.md section 2), one job a module:

- `capture`: what a request and a landing URL tell about the visit (pure functions)
- `sites`: the project behind a site key (cached for a minute)
- `sessions`: a session start
- `events`: an events batch: pageviews, pings, time on page
- `holds`: the numbers sessions hold, the limit per address, and who held a number when (attribution)
- `numbers`: the project's numbers and the pool's figures (administration)
"""
