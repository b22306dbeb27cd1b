"""The one rendering path for comment data, shared by Pelican builds and service bakes."""
