"""What the site publishes (pure): the Markdown pages, each chart's page and downloads, the open data, the share and citation details, the last personal-number guard."""
