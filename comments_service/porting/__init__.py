"""Moving in and out: WordPress (WXR) and Disqus imports, and Kiln's own JSON export."""
