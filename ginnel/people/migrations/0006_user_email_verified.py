# Every account that exists already counts as checked (default True), so no one disappears.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_strengths_reviews'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='email_verified',
            field=models.BooleanField(default=True, verbose_name='email address checked'),
        ),
    ]
