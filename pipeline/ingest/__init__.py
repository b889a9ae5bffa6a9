"""Finding the files under data/raw and taking each in through the gate and the cleaner: department files (with the read cache), the status forms, the receipts register."""
