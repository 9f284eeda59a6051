"""Card text for the screen: Markdown with `$...$` math shown as Unicode (the app and `review --plain`)."""
