"""The Textual front end. Imported only when the app opens."""
