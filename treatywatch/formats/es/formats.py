"""How TreatyWatch writes dates for readers of this language (Django format strings)."""

DATE_FORMAT = "j \\d\\e F \\d\\e Y"
SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j \\d\\e F \\d\\e Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
