"""Storage: the SQLCipher database, its migrations and the hash-chained journal."""
