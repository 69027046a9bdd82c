"""The bottom layer: generic tools every app may use (Swedish money, XLSX and CSV writers, SVG
charts, PDF rendering). Nothing here knows the domain or imports an app."""
