"""Reference data every installation needs: the 21 regions and the four role groups."""

from django.db import migrations

# SCB county code, county, region (shared/reference/regioner.csv).
REGIONS = [
    ("01", "Stockholm", "Region Stockholm"),
    ("03", "Uppsala", "Region Uppsala"),
    ("04", "Södermanland", "Region Sörmland"),
    ("05", "Östergötland", "Region Östergötland"),
    ("06", "Jönköping", "Region Jönköpings län"),
    ("07", "Kronoberg", "Region Kronoberg"),
    ("08", "Kalmar", "Region Kalmar län"),
    ("09", "Gotland", "Region Gotland"),
    ("10", "Blekinge", "Region Blekinge"),
    ("12", "Skåne", "Region Skåne"),
    ("13", "Halland", "Region Halland"),
    ("14", "Västra Götaland", "Västra Götalandsregionen"),
    ("17", "Värmland", "Region Värmland"),
    ("18", "Örebro", "Region Örebro län"),
    ("19", "Västmanland", "Region Västmanland"),
    ("20", "Dalarna", "Region Dalarna"),
    ("21", "Gävleborg", "Region Gävleborg"),
    ("22", "Västernorrland", "Region Västernorrland"),
    ("23", "Jämtland Härjedalen", "Region Jämtland Härjedalen"),
    ("24", "Västerbotten", "Region Västerbotten"),
    ("25", "Norrbotten", "Region Norrbotten"),
]

ROLES = ["HOSPA-handläggare", "Ekonom", "Chef", "Administratör"]


def add_reference_data(apps, schema_editor):
    Region = apps.get_model("grants", "Region")
    Group = apps.get_model("auth", "Group")
    for code, county, name in REGIONS:
        Region.objects.update_or_create(
            county_code=code, defaults={"county_name": county, "name": name}
        )
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
