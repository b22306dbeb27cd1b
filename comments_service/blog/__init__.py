"""The blog this service serves: its identity, its Pelican settings and when its threads close."""
