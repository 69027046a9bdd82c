from django import forms

from .models import MAX_LENGTH


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Ny kommentar",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Nämn en kollega med @användarnamn så hamnar kommentaren under hens Att göra.",
        error_messages={
            "required": "Skriv en kommentar.",
            "max_length": f"En kommentar får vara högst {MAX_LENGTH} tecken.",
        },
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Skriv en kommentar.")
        return text
