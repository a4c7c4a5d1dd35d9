// Server tests live here.
