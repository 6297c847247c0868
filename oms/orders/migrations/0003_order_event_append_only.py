from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION orders_event_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER orders_event_append_only BEFORE UPDATE ON orders_orderevent
    FOR EACH ROW EXECUTE FUNCTION orders_event_refuse_update();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS orders_event_append_only ON orders_orderevent;
DROP FUNCTION IF EXISTS orders_event_refuse_update();
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
