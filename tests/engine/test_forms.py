"""Coercion and validation of submissions against camunda:formData fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.bpmn.forms import FormField, FormOption, validate_submission
from engine.errors import ValidationFailed

FIELDS = (
    FormField("target", "Target", "string", required=True, minlength=5, maxlength=20),
    FormField("jumlah", "Jumlah", "long", required=True, min=1, max=100),
    FormField("aktif", "Aktif", "boolean"),
    FormField("mulai", "Mulai", "date", min="2027-01-01", max="2027-12-31"),
    FormField(
        "jenis", "Jenis", "enum", options=(FormOption("UTAMA", "Utama"), FormOption("TAMBAHAN", "Tambahan"))
    ),
    FormField("periode", "Periode", "string", readonly=True, default="2027"),
)


def errors_of(data, current=None):
    with pytest.raises(ValidationFailed) as caught:
        validate_submission(FIELDS, data, current)
    return {name: [e.code for e in problems] for name, problems in caught.value.field_errors.items()}


def test_values_from_an_html_form_are_coerced():
    clean = validate_submission(
        FIELDS,
        {"target": "laporan", "jumlah": " 12 ", "aktif": "on", "mulai": "2027-02-01", "jenis": "UTAMA"},
    )
    assert clean == {
        "target": "laporan",
        "jumlah": 12,
        "aktif": True,
        "mulai": "2027-02-01",
        "jenis": "UTAMA",
    }


def test_values_from_json_are_coerced():
    clean = validate_submission(FIELDS, {"target": "laporan", "jumlah": 12.0, "aktif": False, "mulai": None})
    assert clean == {"target": "laporan", "jumlah": 12, "aktif": False, "mulai": None}


def test_every_problem_is_reported_at_once_one_entry_per_field():
    problems = errors_of(
        {
            "target": "abc",
            "jumlah": 0,
            "aktif": "maybe",
            "mulai": "2026-12-31",
            "jenis": "LAIN",
            "warna": "biru",
        }
    )
    assert problems == {
        "target": ["minlength"],
        "jumlah": ["min"],
        "aktif": ["type"],
        "mulai": ["min"],
        "jenis": ["enum"],
        "warna": ["unknown"],
    }


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"jumlah": 5}, "target", "required"),
        ({"target": "   ", "jumlah": 5}, "target", "required"),
        ({"target": "x" * 21, "jumlah": 5}, "target", "maxlength"),
        ({"target": "laporan"}, "jumlah", "required"),
        ({"target": "laporan", "jumlah": "lima"}, "jumlah", "type"),
        ({"target": "laporan", "jumlah": 1.5}, "jumlah", "type"),
        ({"target": "laporan", "jumlah": True}, "jumlah", "type"),
        ({"target": "laporan", "jumlah": 101}, "jumlah", "max"),
        ({"target": "laporan", "jumlah": 5, "mulai": "31/01/2027"}, "mulai", "type"),
        ({"target": "laporan", "jumlah": 5, "mulai": "2028-01-01"}, "mulai", "max"),
        ({"target": ["laporan"], "jumlah": 5}, "target", "type"),
        ({"target": "laporan", "jumlah": 5, "periode": "2030"}, "periode", "readonly"),
    ],
)
def test_each_constraint_refuses_with_its_own_code(data, field, code):
    assert errors_of(data) == {field: [code]}


def test_a_read_only_field_may_come_back_unchanged():
    clean = validate_submission(
        FIELDS, {"target": "laporan", "jumlah": 5, "periode": "2027"}, {"periode": "2027"}
    )
    assert "periode" not in clean


@given(
    target=st.text(min_size=5, max_size=20).filter(lambda s: s.strip()),
    jumlah=st.integers(min_value=1, max_value=100),
    as_text=st.booleans(),
)
def test_any_value_within_the_constraints_passes(target, jumlah, as_text):
    clean = validate_submission(FIELDS, {"target": target, "jumlah": str(jumlah) if as_text else jumlah})
    assert clean == {"target": target, "jumlah": jumlah}


@given(jumlah=st.integers().filter(lambda n: n < 1 or n > 100))
def test_any_value_outside_the_bounds_is_refused(jumlah):
    assert set(errors_of({"target": "laporan", "jumlah": jumlah})["jumlah"]) <= {"min", "max", "type"}
