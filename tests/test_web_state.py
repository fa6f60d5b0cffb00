"""cchc_lib.web.state: a widget's value is kept in its own key across runs where it is not drawn."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from cchc_lib.web.state import persisted_widget, remembered

    if st.session_state.get("show", True):
        persisted_widget(st.selectbox, "kind", ["Q1", "Q2", "Q3"], "Q1", label="Kỳ")
        persisted_widget(st.multiselect, "units", st.session_state.get("pool", ["A", "B"]), [], multi=True,
                         label="Đơn vị")  # fmt: skip
    st.write(f"kept={remembered('kind')} units={remembered('units')}")


def test_value_survives_a_page_without_the_widget() -> None:
    at = AppTest.from_function(_script, default_timeout=30).run()
    at.selectbox(key="_w.kind").set_value("Q3").run()
    at.session_state["show"] = False  # like another page that does not draw the widget
    at.run()
    assert not at.selectbox
    assert at.markdown[0].value == "kept=Q3 units=[]"
    at.session_state["show"] = True
    at.run()
    assert at.selectbox(key="_w.kind").value == "Q3"
    assert not at.exception


def test_kept_choices_outside_the_options_are_dropped() -> None:
    at = AppTest.from_function(_script, default_timeout=30).run()
    at.multiselect(key="_w.units").set_value(["A", "B"]).run()
    at.session_state["pool"] = ["B", "C"]  # unit A left the filter
    at.run()
    assert at.multiselect(key="_w.units").value == ["B"]
    assert at.markdown[0].value == "kept=Q1 units=['B']"
