"""Importing the foundation's spreadsheets (CSV and XLSX) as cases."""
