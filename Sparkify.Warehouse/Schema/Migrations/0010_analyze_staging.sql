-- The star load analyses staging when a batch grew it a lot, but PostgreSQL lets only a table's owner ANALYZE it (a
-- non-owner's ANALYZE is skipped with a warning), and the workers' role owns nothing. The owner's function does it for
-- them: SECURITY DEFINER, its search_path pinned to this schema (then pg_temp), executable only by the roles granted it
-- (the workers' role, by WorkerRole).
DO $migration$
BEGIN
    EXECUTE format($function$
        CREATE OR REPLACE FUNCTION %1$I.analyze_staging(events boolean, songs boolean) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = %1$I, pg_temp AS $body$
        BEGIN
            IF events THEN
                ANALYZE staging_events;
            END IF;
            IF songs THEN
                ANALYZE staging_songs;
            END IF;
        END
        $body$
        $function$, current_schema());
END
$migration$;
REVOKE ALL ON FUNCTION analyze_staging(boolean, boolean) FROM PUBLIC;
