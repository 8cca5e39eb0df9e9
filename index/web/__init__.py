"""Knowledge from where it lives: pages, sitemaps and PDFs fetched safely (addresses checked at
connect time, robots.txt respected, sizes and times capped) and turned into articles."""
