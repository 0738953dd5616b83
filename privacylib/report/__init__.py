"""The report files: what the notebook shows, the tables and workbook, summary.html,
charts, words in each language, and the safe-output rules (cells, markup)."""
