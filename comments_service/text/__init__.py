"""Comment text: the policy every entrance applies, sanitising to HTML, and linkifying."""
