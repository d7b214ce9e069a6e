"""The Textual board: screens and widgets. Reads state only through paratui.store / paratui.model."""
