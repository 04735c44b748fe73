from django import forms
from django.core.validators import EmailValidator

from articles.models import Source, Topic
from articles.newsletter.models import Subscriber


class ChoicesForm(forms.ModelForm):
    """How often, and which sources or topics (none: everything)."""

    sources = forms.ModelMultipleChoiceField(
        Source.objects.with_published_articles(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these sources. Choose none for all of them.",
    )
    topics = forms.ModelMultipleChoiceField(
        Topic.objects.with_published_articles(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Or only these topics.",
    )

    class Meta:
        model = Subscriber
        fields = ["frequency", "sources", "topics"]
        widgets = {"frequency": forms.RadioSelect}


class SubscribeForm(ChoicesForm):
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(ChoicesForm.Meta):
        fields = ["email", "frequency", "sources", "topics"]

    def clean_email(self):
        """One address: no line breaks (which would add headers to the message), no
        display name, no list; lower-cased; at most 254 characters (RFC 5321)."""
        value = self.cleaned_data["email"].strip()
        if any(c in value for c in "\r\n\x00,;<>"):
            raise forms.ValidationError("Give one email address, with nothing around it.")
        EmailValidator(message="That is not an email address (name@example.org).")(value)
        return value.lower()

    def validate_unique(self):
        """An address already subscribed is not an error to show (nor a thing to reveal)."""
