"""
A personal model from a person's own video
==========================================

The whole workflow of ``sklearn-fer pretrain``, ``query``, ``label``, ``personalise`` and
``predict``, run from Python on a **synthetic** person's video:

1. a general model learns valence and arousal from many other (synthetic) people's faces
   and is saved as a model folder;
2. a video of one synthetic person is written, and GSx chooses 10% of its frames to label
   (:func:`~sklearn_fer.workflow.query_video`);
3. those frames are labelled, here from the generator's ground truth, where a person
   would click on the labelling page (``sklearn-fer label``) or fill in ``labels.csv``;
4. :func:`~sklearn_fer.workflow.personalise` fine-tunes the general model's dense layers
   on them and cross-validates the result against the general model (*Transfer 0%*);
5. :func:`~sklearn_fer.workflow.predict_video` streams the whole video through both
   models, and both are compared with the truth on the frames nobody labelled.

The faces come from :func:`~sklearn_fer.datasets.make_faces`: cartoon faces whose
expression encodes the labels, each person with their own expressiveness. **The numbers
say how the workflow behaves on this generator, not on people.** Settings depart from the
paper's (Adam, narrow dense layers, few epochs, 64 px, and a general model trained on faces
filmed in the lab rather than "in the wild", which AlexNet learns from scratch in fewer
epochs) to run in under a minute on two CPU cores.
"""

# %%
# A general model, saved as a model folder
# ----------------------------------------
# 125 other synthetic people, 8 frames each. The paper trains twin nets, one per target
# (``sklearn-fer pretrain`` does); one joint net with a unit per target halves the time
# of this example, and every step below works with either.
import tempfile
import time
from pathlib import Path

import cv2
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklearn_fer import AlexNetRegressor, FusedAdam
from sklearn_fer.datasets import make_faces
from sklearn_fer.metrics import ccc, rmse
from sklearn_fer.persistence import save_pretrained
from sklearn_fer.workflow import personalise, predict_video, query_video, read_labels, set_label

start = time.perf_counter()
work = Path(tempfile.mkdtemp(prefix="sklearn-fer-example-"))
crowd = make_faces(125, 8, domain="lab", image_size=64, random_state=0)
general = AlexNetRegressor(
    module__hidden_units=256, optimizer=FusedAdam, lr=3e-4, max_epochs=5, random_state=0
).fit(crowd.images, crowd.target)
save_pretrained(
    {"valence+arousal": general}, work / "general", image_size=64, metadata={"data": "synthetic"}
)
print(f"general model: {len(crowd.images)} faces of 125 synthetic people")

# %%
# A person's video
# ----------------
# One synthetic person "in the lab" (:func:`~sklearn_fer.datasets.make_faces`, lab
# domain: segments of constant expression), each frame shown for one second, pasted on a
# plain background at a slowly drifting position. ``truth`` is what the generator drew.
person = make_faces(1, 120, domain="lab", image_size=160, random_state=7)
truth = pd.DataFrame({"valence": person.valence, "arousal": person.arousal})
video = work / "person.avi"
writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 2.0, (320, 240))
for second, face in enumerate(person.images):
    frame = np.full((240, 320, 3), (70, 90, 110), dtype=np.uint8)
    x = 80 + int(60 * np.sin(second / 9))
    frame[40:200, x : x + 160] = face
    for _ in range(2):  # two frames a second
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
writer.release()
print(f"{len(person.images)} s of video of one synthetic person")

# %%
# Choose 10% of the frames with GSx, label them
# ---------------------------------------------
# GSx picks frames spread out in the general model's conv features. The labels come from
# the generator here; ``sklearn-fer label FOLDER`` would show each chosen face beside a
# valence-arousal grid to click instead.
chosen = query_video(
    video, work / "general", work / "labels", fraction=0.1, sampler="gsx", every_seconds=1
)
for row in chosen.itertuples():
    second = int(round(row.time_s))
    set_label(work / "labels", row.path, float(truth.valence[second]), float(truth.arousal[second]))
labels = read_labels(work / "labels")
print(f"GSx chose {len(chosen)} frames at {labels['time_s'].astype(int).tolist()} s")

# %%
# Personalise
# -----------
# The dense layers are fine-tuned on the labelled frames over the frozen conv features.
# Cross-validation on those few frames comes first: a rough estimate, with one or two
# frames per test fold.
result = personalise(work / "labels", work / "general", cv=5, random_state=0)
print("cross-validated on the labelled frames (SYNTHETIC DATA):")
print(result.scores.round(3).to_string(index=False))
save_pretrained(result.models, work / "personal", image_size=result.image_size)

# %%
# Predict the whole video with both models
# ----------------------------------------
# Streamed: one batch of frames in memory at a time, whatever the video's length.
for name in ("general", "personal"):
    predict_video(video, work / name, work / f"{name}.csv", every_seconds=1, smooth_seconds=5)
predictions = {name: pd.read_csv(work / f"{name}.csv") for name in ("general", "personal")}

# The frames nobody labelled, where a face was found, are the test of both models.
seconds = predictions["general"]["time_s"].round().astype(int)
labelled = seconds.isin(labels["time_s"].round().astype(int))
test = predictions["general"]["face_found"] & ~labelled
print(f"\non the {int(test.sum())} frames nobody labelled (SYNTHETIC DATA):")
print(f"  {'target':8s} {'model':9s} {'RMSE':>6s} {'CCC':>6s}")
for target in ("valence", "arousal"):
    for name, table in predictions.items():
        y_true, y_pred = truth[target].to_numpy()[seconds[test]], table[target][test]
        print(f"  {target:8s} {name:9s} {rmse(y_true, y_pred):6.3f} {ccc(y_true, y_pred):6.3f}")

# %%
# Valence and arousal over time: the truth, the general model and the personal one
# (smoothed over 5 s).
figure, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
for ax, target in zip(axes, ("valence", "arousal")):
    ax.plot(truth.index, truth[target], color="black", lw=1.5, label="truth (generator)")
    for name, table in predictions.items():
        ax.plot(table["time_s"], table[f"{target}_smoothed"], lw=2, label=name)
    ax.scatter(
        labels["time_s"],
        truth[target][labels["time_s"].round().astype(int)],
        marker="o",
        color="red",
        zorder=3,
        label="labelled (GSx)",
    )
    ax.set_ylabel(target)
    ax.set_ylim(-1.1, 1.1)
    ax.grid(alpha=0.3)
axes[1].set_xlabel("time (s)")
handles, names = axes[0].get_legend_handles_labels()
figure.legend(handles, names, loc="lower center", ncol=4, frameon=False, fontsize=9)
figure.suptitle("One synthetic person: general vs personal model")
figure.tight_layout(rect=(0, 0.05, 1, 1))
print(f"\n({time.perf_counter() - start:.0f} s)")

# %%
# With so short a pre-training the general model has only begun to learn: its
# predictions stay close to the middle of the grid, and it knows nothing of this
# person's own expressiveness (which the generator makes differ from the crowd's, most
# for arousal). A dozen frames of the person, chosen by GSx to cover their faces, are
# enough for the fine-tuned dense layers to follow the person's expressions on the frames
# nobody labelled. A dozen labels make noisy estimates, the cross-validated ones above
# most of all: ``sklearn-fer reproduce`` runs the study over subjects, and a real
# person's model is best judged on frames of theirs nobody labelled.
