"""The signed-in home page of each role."""
