"""Moderation: accounts, login, the queue and the actions moderators take."""
