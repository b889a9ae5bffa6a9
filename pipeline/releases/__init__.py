"""Dated releases: each quarter's publication at /releases/<quarter>/."""
