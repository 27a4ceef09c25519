// browser tests: see helper
