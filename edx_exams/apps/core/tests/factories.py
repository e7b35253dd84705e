"""factory_boy factories of the core models."""

import factory

from edx_exams.apps.core.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A learner with an LMS user id."""

    class Meta:
        model = User
        django_get_or_create = ('username',)

    username = factory.Sequence(lambda n: f'user{n}')
    email = factory.LazyAttribute(lambda u: f'{u.username}@example.com')
    full_name = factory.Faker('name')
    lms_user_id = factory.Sequence(lambda n: 5000 + n)
    is_staff = False
