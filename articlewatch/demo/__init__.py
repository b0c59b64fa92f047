"""Demo newsroom: four seed articles rendered as realistic news pages and served locally."""
