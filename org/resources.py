"""Spreadsheet import/export of the reference catalogs (cities keep them in Excel).

Trees are linked by code: a row names its parent's code, and a handling unit
lists the codes of the areas it covers, separated by commas.
"""
from import_export import fields, widgets

from lib.spreadsheets import SafeModelResource
from org.models import Area, CalendarDay, Classification, HandlingUnit, Sector
from org.services import classification_refresh_leaves


class ParentByCode(widgets.ForeignKeyWidget):
    def __init__(self, model):
        super().__init__(model, field="code")


class AreaResource(SafeModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentByCode(Area))

    class Meta:
        model = Area
        import_id_fields = ("code",)
        clean_model_instances = True  # the model's checks (depth, loops) hold for imported rows too
        fields = ("code", "name", "level", "parent", "population", "is_active")
        export_order = fields
        skip_unchanged = True
        use_transactions = True


class SectorResource(SafeModelResource):
    class Meta:
        model = Sector
        import_id_fields = ("code",)
        fields = ("code", "name")


class HandlingUnitResource(SafeModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentByCode(HandlingUnit))
    sector = fields.Field(attribute="sector", column_name="sector", widget=ParentByCode(Sector))
    areas = fields.Field(
        attribute="areas", column_name="areas", widget=widgets.ManyToManyWidget(Area, field="code", separator=",")
    )

    class Meta:
        model = HandlingUnit
        import_id_fields = ("code",)
        clean_model_instances = True  # the model's checks (depth, loops) hold for imported rows too
        fields = ("code", "name", "kind", "parent", "sector", "areas", "round_the_clock", "phone", "email", "is_active")
        export_order = fields
        use_transactions = True


class ClassificationResource(SafeModelResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=ParentByCode(Classification))
    sector = fields.Field(attribute="sector", column_name="sector", widget=ParentByCode(Sector))

    class Meta:
        model = Classification
        import_id_fields = ("code",)
        clean_model_instances = True  # the model's checks (depth, loops, urgent hours) hold for imported rows too
        fields = ("code", "name", "parent", "top_class", "tier", "urgent_hours", "sector", "keywords", "is_active")
        export_order = fields
        use_transactions = True

    def before_import(self, dataset, **kwargs):
        # The classification standard's CSV (org/data/classification_standard.csv) names the parent
        # "parent_code"; accept it as is, so the published file imports without editing.
        if "parent_code" in dataset.headers and "parent" not in dataset.headers:
            dataset.headers = ["parent" if header == "parent_code" else header for header in dataset.headers]
        super().before_import(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)

        classification_refresh_leaves()


class CalendarDayResource(SafeModelResource):
    class Meta:
        model = CalendarDay
        import_id_fields = ("date",)
        fields = ("date", "is_workday", "name")
        # A row that adds or changes a day before today is refused like in the form (CalendarDay.clean).
        clean_model_instances = True
