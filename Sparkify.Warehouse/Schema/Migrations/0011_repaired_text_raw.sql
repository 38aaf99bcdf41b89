-- Text of the event logs encoded as UTF-8 more than once ("BjÃ\u0083Â¶rk") is repaired as it is staged
-- (DoubleEncodedText: a conservative rule, in the manner of ftfy). The values as the file carried them are kept here:
-- one jsonb object of the repaired columns' raw values ({"artist": "BjÃ\u0083Â¶rk"}), NULL on a row where nothing
-- was repaired — one column whatever the number of text columns, and nothing stored for the rows that need nothing.
ALTER TABLE staging_events ADD COLUMN repaired_from jsonb;
