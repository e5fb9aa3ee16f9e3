print("siyu")
