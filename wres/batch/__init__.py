"""``wres run``: planning, executing notebooks in forked kernels, rendering pages, the site.

The top layer below the CLI; nothing else in `wres` imports it.
"""
