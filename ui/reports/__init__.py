"""The Reports screen's tabs, one module each; pages/reports.py picks the tab."""
