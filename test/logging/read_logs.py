"""Reads what our loggers wrote with the real Python packages' own readers and prints it as JSON.

  read_logs.py wandb <file.wandb>   -> [{"type": record type, ...record as a dict}, ...] via wandb's DataStore
  read_logs.py tb <dir>             -> {tag: [[step, value], ...]} via TensorBoard's EventAccumulator
"""
import json
import sys


def wandb_records(path):
    import wandb
    from google.protobuf.json_format import MessageToDict
    from wandb.proto import wandb_internal_pb2 as pb

    wandb._set_internal_process()
    from wandb.sdk.internal import datastore

    ds = datastore.DataStore()
    ds.open_for_scan(path)
    out = []
    while True:
        data = ds.scan_data()
        if data is None:
            break
        rec = pb.Record()
        rec.ParseFromString(data)
        out.append({"type": rec.WhichOneof("record_type"), **MessageToDict(rec, preserving_proto_field_name=True)})
    return out


def tb_scalars(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(path, size_guidance={"scalars": 0})
    acc.Reload()
    return {tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    print(json.dumps(wandb_records(path) if kind == "wandb" else tb_scalars(path)))
