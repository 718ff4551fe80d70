"""Page-side parts of the longer lessons: sections a page script draws by calling them."""
