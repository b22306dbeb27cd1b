"""Background work: one worker base (threads that wake, poll and stop), one place that starts them, lease terms."""
