"""Exports of the electronic batch record: PDF, JSON (self-verifying), BatchML, dispense labels.

* ``ebr.export.loader.load_batch_record(session, batch_id)`` -> ``BatchRecord`` (the read model,
  ``ebr.export.record``), which every export takes:
* ``ebr.export.pdf_export.export_pdf(record, printed_by, printed_at)`` -> PDF bytes;
* ``ebr.export.json_export.export_json(record)`` -> JSON bytes, checked offline by
  ``ebr.export.json_verify.verify_export(data)`` (format and algorithm: ``JSON_FORMAT.md``);
* ``ebr.export.batchml.export_batchml(record)`` -> BatchML bytes, ``validate_batchml(data)``;
* ``ebr.export.labels.dispense_label_pdf(consumption, batch_id, ...)`` -> label PDF bytes.

The modules are imported on demand (the PDF needs reportlab, BatchML lxml): importing this
package imports nothing else.
"""
