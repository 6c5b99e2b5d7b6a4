"""Writes runner/logging/protos.json: the protobuf messages our loggers write, in protobufjs's JSON form.

Field names, numbers and types are read from the descriptors compiled into the real `wandb` and `tensorboard`
packages (run it with the test venv: `.cache/venv/bin/python scripts/gen-log-protos.py`), so nothing is typed by
hand. Only the fields we write are kept; readers skip nothing they need, since unknown fields stay unset.
test/logging/protos.test.ts checks the committed file against a fresh run of this script.
"""
import json
import sys

from google.protobuf.descriptor import FieldDescriptor as F
from google.protobuf import timestamp_pb2
from tensorboard.compat.proto import event_pb2, summary_pb2
from wandb.proto import wandb_internal_pb2 as wb

# message -> the fields we use (by name)
WANTED = {
    wb.Record: ["num", "history", "summary", "config", "run", "exit", "header"],
    wb.HeaderRecord: ["version_info"],
    wb.VersionInfo: ["producer", "min_consumer"],
    wb.RunRecord: ["run_id", "entity", "project", "config", "run_group", "job_type", "display_name", "notes", "tags",
                   "host", "starting_step", "start_time", "resumed", "forked"],
    wb.ConfigRecord: ["update"],
    wb.ConfigItem: ["key", "nested_key", "value_json"],
    wb.HistoryRecord: ["item", "step"],
    wb.HistoryItem: ["key", "nested_key", "value_json"],
    wb.HistoryStep: ["num"],
    wb.SummaryRecord: ["update"],
    wb.SummaryItem: ["key", "nested_key", "value_json"],
    wb.RunExitRecord: ["exit_code", "runtime"],
    timestamp_pb2.Timestamp: ["seconds", "nanos"],
    event_pb2.Event: ["wall_time", "step", "file_version", "summary", "session_log"],
    event_pb2.SessionLog: ["status", "checkpoint_path", "msg"],
    summary_pb2.Summary: ["value"],
    summary_pb2.Summary.Value: ["tag", "simple_value"],
}

SCALARS = {
    F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float", F.TYPE_INT64: "int64", F.TYPE_UINT64: "uint64",
    F.TYPE_INT32: "int32", F.TYPE_BOOL: "bool", F.TYPE_STRING: "string", F.TYPE_BYTES: "bytes",
    F.TYPE_UINT32: "uint32",
}


def type_name(f):
    if f.type in (F.TYPE_MESSAGE, F.TYPE_ENUM):
        return "." + (f.message_type or f.enum_type).full_name
    return SCALARS[f.type]


def insert(root, full_name, node):
    parts = full_name.split(".")
    cur = root
    for p in parts[:-1]:
        cur = cur.setdefault("nested", {}).setdefault(p, {})
    cur.setdefault("nested", {})[parts[-1]] = {**cur.get("nested", {}).get(parts[-1], {}), **node}


root = {}
for msg, names in WANTED.items():
    d = msg.DESCRIPTOR
    fields = {}
    for name in names:
        f = d.fields_by_name[name]
        entry = {"type": type_name(f), "id": f.number}
        if f.label == F.LABEL_REPEATED:
            entry["rule"] = "repeated"
        fields[name] = entry
        if f.type == F.TYPE_ENUM:
            insert(root, f.enum_type.full_name, {"values": {v.name: v.number for v in f.enum_type.values}})
    node = {"fields": fields}
    # Oneof members keep presence: a scalar 0.0 in `simple_value` must still be written.
    oneofs = {}
    for name in names:
        o = d.fields_by_name[name].containing_oneof
        if o is not None:
            oneofs.setdefault(o.name, {"oneof": []})["oneof"].append(name)
    if oneofs:
        node["oneofs"] = oneofs
    insert(root, d.full_name, node)

versions = {"wandb": __import__("wandb").__version__, "tensorboard": __import__("tensorboard").__version__}
json.dump({"_generated_from": versions, **root}, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
