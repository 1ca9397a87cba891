"""Real licence-plate photographs for checking synthetic-trained models.

Two small public sets, each looked for first in ``lprkit.config.data_home() / <name>``
(``LPRKIT_DATA_HOME``, else the user cache folder):

``openalpr_eu``
    108 European road and parking photos with one plate box each: the ``endtoend/eu`` folder
    of the openalpr/benchmarks repository (AGPL-3.0), images plus per-image ``.txt`` files
    ``file x y w h TEXT``. Missing files are downloaded with :mod:`pooch` from
    :data:`OPENALPR_EU_URL` and checked against a SHA-256 per file. The ``.txt`` hashes are
    those of the benchmark's one-line files (``file\\tx\\ty\\tw\\th\\tTEXT\\n``).
    A local copy may instead hold ``labels.csv`` (``file,text,x,y,w,h``), as a frames folder.
``kr_crops``
    20 Korean plate crops (56–304 px wide, one- and two-line) from the ``DB/parking_train``
    and ``DB/cctv_train`` folders of the public GitHub repository
    ``azizsiyaev/korean_car_licence_plate_detection_and_recognition`` (folder "Recognition
    part. CRNN KERAS/DB/"), pinned to commit :data:`KR_CROPS_COMMIT`. Its file names carry the
    text in 2-set keyboard keys (``01aj1010_00479.jpg`` = ``01머1010``). Missing crops are
    downloaded with :mod:`pooch` (each checked against its SHA-256 in :data:`KR_CROPS_SHA256`)
    and stored as ``aziz_<folder>_<original name>``; a local copy may instead hold
    ``labels.csv`` rows ``file,text`` or the original key-coded names.

Neither set is ever copied into the lprkit repository.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lprkit.config import data_home
from lprkit.data.folders import (
    IMAGE_SUFFIXES,
    Crop,
    CropsFolder,
    FramesFolder,
    read_crops_folder,
    read_frames_folder,
    text_from_filename,
)
from lprkit.data.train_detector_sets import load_br_crops
from lprkit.errors import InputError, LprkitError

OPENALPR_EU_URL = "https://raw.githubusercontent.com/openalpr/benchmarks/master/endtoend/eu/"
KR_CROPS_REPOSITORY = "azizsiyaev/korean_car_licence_plate_detection_and_recognition"
KR_CROPS_COMMIT = "f4a21cea6f1d3da6da255d2e8f992f7784bc8238"
KR_CROPS_URL = (f"https://raw.githubusercontent.com/{KR_CROPS_REPOSITORY}/{KR_CROPS_COMMIT}/"
                "Recognition%20part.%20CRNN%20KERAS/DB/")
KR_CROPS_SOURCE = (
    f"https://github.com/{KR_CROPS_REPOSITORY} at commit {KR_CROPS_COMMIT[:7]} "
    "(folder 'Recognition part. CRNN KERAS/DB/', parking_train and cctv_train)"
)
DATASETS = ("openalpr_eu", "kr_crops")


def _parse_registry(text: str) -> dict[str, str]:
    return {
        name: f"sha256:{digest}" for name, digest in (ln.split() for ln in text.split("\n") if ln)
    }


def dataset_dir(name: str) -> Path:
    """Where the set ``name`` is looked for and downloaded to: ``data_home() / name``."""
    if name not in DATASETS:
        raise InputError(f"unknown real data set {name!r}; known: {', '.join(DATASETS)}")
    return data_home() / name


def sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(name: str, folder: str | Path | None = None) -> list[str]:
    """Check the images of a local copy against the known SHA-256 digests.

    Returns
    -------
    list of str
        The problems found (missing or changed files); empty when the copy is intact.
        Images are matched by name; for ``kr_crops`` a renamed copy is matched by content.
    """
    folder = Path(folder) if folder is not None else dataset_dir(name)
    if name == "openalpr_eu":
        expected = {k: v.split(":")[1] for k, v in OPENALPR_EU_SHA256.items() if k.endswith(".jpg")}
        problems = []
        for fname, digest in sorted(expected.items()):
            p = folder / fname
            if not p.is_file():
                problems.append(f"missing {p}")
            elif sha256(p) != digest:
                problems.append(f"changed {p} (SHA-256 differs from the benchmark's)")
        return problems
    if name == "kr_crops":
        wanted = {v.split(":")[1]: k for k, v in KR_CROPS_SHA256.items()}
        have = {sha256(p) for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
        return [f"missing {fname} (no file in {folder} has its SHA-256)"
                for digest, fname in sorted(wanted.items(), key=lambda kv: kv[1])
                if digest not in have]  # fmt: skip
    raise InputError(f"unknown real data set {name!r}; known: {', '.join(DATASETS)}")


def load_openalpr_eu(*, download: bool = True, progress: bool = True) -> FramesFolder:
    """The openalpr ``endtoend/eu`` photos as a frames folder (one ``plate`` box each).

    Parameters
    ----------
    download
        Fetch missing files with pooch (each checked against its SHA-256). With ``False``,
        only a complete local copy is accepted.
    progress
        Show a tqdm bar while downloading.

    Raises
    ------
    FileNotFoundError
        With ``download=False`` and no local copy (says where to put one).
    LprkitError
        When downloading fails (network, or a file whose checksum does not match).
    """
    folder = dataset_dir("openalpr_eu")
    if (folder / "labels.csv").is_file():
        return read_frames_folder(folder)
    names = sorted(OPENALPR_EU_SHA256)
    if all((folder / n).is_file() for n in names):
        return read_frames_folder(folder)
    if not download:
        raise FileNotFoundError(
            f"openalpr_eu is not in {folder}: put the images with labels.csv "
            f"(file,text,x,y,w,h) or the benchmark .txt files there, set LPRKIT_DATA_HOME, "
            f"or call load_openalpr_eu(download=True) to fetch {OPENALPR_EU_URL}"
        )
    _fetch(folder, names, progress)
    return read_frames_folder(folder)


def _fetch(folder: Path, names: list[str], progress: bool) -> None:
    import pooch
    from tqdm.auto import tqdm

    fetcher = pooch.create(
        path=folder, base_url=OPENALPR_EU_URL, registry=OPENALPR_EU_SHA256, retry_if_failed=2
    )
    for name in tqdm(names, desc="openalpr_eu", disable=not progress, unit="file"):
        try:
            fetcher.fetch(name)
        except Exception as exc:  # network errors come in many types (requests, OSError)
            raise LprkitError(
                f"could not download {OPENALPR_EU_URL}{name} into {folder}: {exc}. "
                "Check the connection, or put a copy there (or set LPRKIT_DATA_HOME)."
            ) from exc


def kr_crops_url(name: str) -> str:
    """Public URL of one ``kr_crops`` file named as stored here (``aziz_cctv_train_01aj1010_00479.jpg``
    -> ``…/DB/cctv_train/01aj1010_00479.jpg``)."""
    match = re.fullmatch(r"aziz_((?:cctv|parking)_train)_(.+)", name)
    if match is None:
        raise InputError(f"{name!r} is not a kr_crops file name (aziz_cctv_train_… or aziz_parking_train_…)")
    return f"{KR_CROPS_URL}{match[1]}/{match[2]}"


def load_kr_crops(*, download: bool = True, progress: bool = True) -> CropsFolder:
    """The real Korean plate crops as a crops folder (see the module notes).

    Reads ``data_home()/kr_crops/labels.csv`` when present; otherwise takes the text from
    each image's key-coded file name (:func:`lprkit.data.folders.text_from_filename`). A
    folder without images is filled from the pinned public originals.

    Parameters
    ----------
    download
        Fetch the crops with pooch when the folder holds none (each checked against its
        SHA-256). With ``False``, only a local copy is accepted.
    progress
        Show a tqdm bar while downloading.

    Raises
    ------
    FileNotFoundError
        With ``download=False`` and no local copy; the message says where to put one.
    LprkitError
        When a download fails or a file's checksum does not match.
    """
    folder = dataset_dir("kr_crops")
    if (folder / "labels.csv").is_file():
        return read_crops_folder(folder)
    images = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    ours = [p for p in images if p.name in KR_CROPS_SHA256]  # what an earlier download left
    if not images or (ours and len(ours) < len(KR_CROPS_SHA256)):  # none, or cut short
        if not download:
            raise FileNotFoundError(
                f"kr_crops is not in {folder}: put the crops there (with labels.csv rows "
                f"file,text or their original key-coded names), set LPRKIT_DATA_HOME, or call "
                f"load_kr_crops(download=True) to fetch them from {KR_CROPS_SOURCE}"
            )
        _fetch_kr_crops(folder, progress)
        images = sorted(folder / name for name in KR_CROPS_SHA256)
    items = [Crop(p, text) for p in images if (text := text_from_filename(p.name))]
    if not items:
        raise FileNotFoundError(
            f"no labels.csv and no key-coded image names in {folder}: give the crops their "
            f"original names (e.g. 01aj1010_00479.jpg) or a labels.csv (file,text). Source: {KR_CROPS_SOURCE}"
        )
    return CropsFolder(folder, items)


def _fetch_kr_crops(folder: Path, progress: bool) -> None:
    import pooch
    from tqdm.auto import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    for name, digest in tqdm(sorted(KR_CROPS_SHA256.items()), desc="kr_crops", disable=not progress, unit="file"):
        try:
            pooch.retrieve(kr_crops_url(name), digest, fname=name, path=folder, progressbar=False)
        except Exception as exc:  # network errors come in many types (requests, OSError)
            raise LprkitError(
                f"could not download {kr_crops_url(name)} into {folder}: {exc}. Check the "
                "connection, or put a copy there (or set LPRKIT_DATA_HOME)."
            ) from exc


def load_realdata(name: str, **kwargs) -> FramesFolder | CropsFolder:
    """Load a real set by name: ``"openalpr_eu"`` (frames), ``"kr_crops"``, ``"br_crops_train"``
    or ``"br_crops_dev"`` (crops; see :mod:`lprkit.data.train_detector_sets`)."""
    if name in ("br_crops_train", "br_crops_dev"):
        return load_br_crops(name.rsplit("_", 1)[1], **kwargs)
    if name == "openalpr_eu":
        return load_openalpr_eu(**kwargs)
    if name == "kr_crops":
        return load_kr_crops(**kwargs)
    known = ", ".join((*DATASETS, "br_crops_train", "br_crops_dev"))
    raise InputError(f"unknown real data set {name!r}; known: {known}")


# File name and SHA-256 of every file, computed from a verified copy of the originals.
_OPENALPR_EU_REGISTRY = """
eu1.jpg 223b544df1f003348f087fa72a33f706e61bb5a5c3fdb964ca6170ef50023af5
eu1.txt 43d4777d0cb785de6724e26b373c206acb38a1f2b7e1c87af13f6fef1657c539
eu10.jpg ecab1276e9dedd05c78a5c04282694199f5bdc69e06576d500923b960d3d310f
eu10.txt a44d0d1a26551a488dfb9dcce5832558fbb35a1f4a4ff0e4357cfb04548e13d1
eu11.jpg 7db093949641c97f152731d9fbe617dc934cfbce4f1718df3d3c7da9bb031bdc
eu11.txt cf2779308d3c9c8139be9a6ae2f05479afd83c3d383664151625744cc656341e
eu2.jpg a973646db5947db56ecf7929dc8e7466567cc31d44b08b706256a5512bbdd1b0
eu2.txt c1765d19e3abdb9aadf5b2e107ce5244bce648ca34154619ae2426013000d011
eu3.jpg 1fa4abc51a93a19252aff9e23728d517d72c379504448b6d13d0d8ff729efb93
eu3.txt 60105cef0c03cb7c51fd9dbaa267130d4621efe2b662e2220ffdc1bdb82cf470
eu4.jpg f5f8ea9170467ae9f2298fc9d75e9aba072a5d50c15e7ee3b77c93e0b24ace6c
eu4.txt 2ae1d515888e7688390e5b037d839fdf81494382553335af318064f3098c5e22
eu5.jpg 63025463b5be8cffae0b52a75a309d441997cec5ab9ccee24b698a9694152891
eu5.txt 917ac32b9aedf48af76ac4d168f7421ab4faddb2b60789eeb06e66b7e9fae2cf
eu6.jpg fad4eb19ae96a7288cc9de6f7d0958233175987866ecf6eacd0f024ce2937358
eu6.txt 90372bd0a720cdad4c9bad6d444ed0d67adb405a573adcfee73b73663e5599f2
eu7.jpg a43dcf12f3ec64a36be69105dd2205f46a2545efb1033b9d9863ae0f2e1e1b63
eu7.txt add15a0fc6a45101421eac1e76c409af79cd29ed9166890c50eaa571ec3a5d9b
eu8.jpg ef58eb01a712e5160512800ca92902174143407a0e1a844b2e60850f048d6622
eu8.txt 5c071ddcb075671c8c01ac041ef9b762aea0e59753a8b1dd073cec3560069da5
eu9.jpg a28dfeb9faf8ddfc3c5cffcf856623d94aaf89fa47676ccd3eff3ef08f7daf57
eu9.txt 5f0bf5891cffc50ffaec09e0d17908ad11080412c0c2770e34ad0f2a7561ae9e
test_001.jpg 584f05700ad464bf62992baef0a3636b7ba4542686a0db56bb0c1204fc49181a
test_001.txt 99e397f48627c0acd745f09d1f839babbd6cc8a23c74fd5099cab7a80e5765a3
test_002.jpg 880df1a2de1133ae1aba10ec0b67de06dbf48a4053e18becc190e27cfa5996fc
test_002.txt 7cc60fc77d1d0c259893a9f477201ee62374a7fcd4fc5c42451d8715958ea039
test_003.jpg b6ed2ceb4870a516b6c394147f194a9807031dac618b2001ae8d45b0a16d9ada
test_003.txt f720aaf773d5ea8cbe4be33b2afbf0ea422127c759f9688a46350a9f1d43ddbf
test_004.jpg ebf31d1cbe9387c0c829a687ab1ebdff5462517116f03d30b721fbe360c068a4
test_004.txt 1a8b2f7e25e74f9a6706bc8224be193856f3a99274a7310dfb906847dd763a10
test_005.jpg 3552904afc474f09bd719815f95db757902838c2a23d2dadd293c387a7ac7fa4
test_005.txt 393a31ba1f21042d4ca8bd32c4ceef92dc6586d789bfe5e51335a7a88e7fa423
test_006.jpg 61e70ef0be584c4f72961158446cca0cd401f8348ccb153bbc427ea5776b1d42
test_006.txt 489f81f9bb40d089a7244a3eb89c51d2229c1debbbe1c116ddbf90e8fd285076
test_007.jpg 36d0c4a8cffa5ce8791a13d1a904498e1314ea9ad9dc674288b7afaf1e10a7fb
test_007.txt b09e483b13477b12dbf5ed711589b13880c05420364da4da5464ad1cbb38810b
test_008.jpg 616c7466d2dd6806d219cd8a699524a66eabaf413f61220c56dd9a831f1dd326
test_008.txt de9003aa082e97a4c39653005ddcffb086709f616f22fb9e5250aeaf3f758166
test_009.jpg 8fa377cba623c5e347a632c6c6d4395ca74f24bddb6a51a76833fdfc87b99b03
test_009.txt 5e468e008a1feac65f8747acaad64d19fbca678731ae2e51067a7dece400b6ed
test_010.jpg cfd48f3c471ce04a73b9e0284191065baaf86ade58dd4be8f4dbb27d77788466
test_010.txt ce016872254c9bda3e5870c424079bb40ea7b32e04e2af6f47073916e42bf450
test_011.jpg ce74096aac6c3bf5e49a7d6a08e71520073e0ce32e33232848fd845d4013cf90
test_011.txt a4e631498465440b731a2cd6160868655b052cbf45e7a3f51ce12b938b40a105
test_012.jpg 41d71703461fbb69439fb245d654929476acded845020a5783f8ff1539b8f898
test_012.txt 088917062f653711b39098b691f3c83ea099974efaea634e9ec38be05b79cc8d
test_013.jpg 963bc5401917a9f34453368a25bf8bca9540af82b0398c7895e4dcebfc54ae8b
test_013.txt 0dbd17a22e98acdf59b90c1903c3d92229edb62d9a97863f0926a6a6d068f830
test_014.jpg 5f28e41cddbdb4d4af6f1ab4479bb56521157e9788286f0fa870844ea4995c17
test_014.txt 2f96b02c9790a8467163f98b1331c67e8a90b5aae389cd108cbe39e205463f2a
test_015.jpg 0a3da4a47c35873aa5dc9672daff12f4f6bd48eb60c492fc6c0baba9526aa159
test_015.txt e5c704f5b6ca01bb6103f15771ce28cd8ce415087d8799de0470aac3fdbdc54e
test_016.jpg cb689f801a4eb6832e9ffc24e365b932dae5a46806eb80d147c2d70c13a09a7e
test_016.txt 8939ddcfbdedf50da2807649b09ce7918564ffdd663f311dd3ecf70df85dd509
test_017.jpg 5dec84b278e0ab18eba29a82f3889f91d05dc9cba4ca96d2a5c03fee99f1c1ae
test_017.txt 0be97535650b8aad22dddf85856bb4a743bd83c6f320d0003a825ec6b26313b8
test_018.jpg 379febaf7d1d0de539081d52b31fe8739b504beeb1259938778039314aa4b529
test_018.txt bf77802cf21c760a400a8047e0e3d6209b6dd790a2d9b619c447793de517c419
test_019.jpg 99fea488e8e0987338110736979d21b687a6385a1c1ae44a23911b6f6a649fdf
test_019.txt 07862507a94d2c2f54fc4593ca273760cc5f612f8e79ec7587250b34c541f3a1
test_020.jpg ff8ca80859ddce2e8f41e7c9e25c4c48993df3602143ff37321135b8022cb5be
test_020.txt ea0fd58901050afd28ae597b5320c218b810f5dd76bc6bf49a50ad6d3b733e27
test_021.jpg ab67f090d7c270512b805c66409317eda9cced754aaaf399722db1446239bec9
test_021.txt 50a6219f030cd8ddccb3afb2bccea5c27d6d54b209ad69c76d927b307243fc70
test_022.jpg b6da5c93a3b6b447ee394c39bc793c6b1614c72c6c911dcd3f1542a999410b0e
test_022.txt d1fa6d710bd1e91eaf5fa563254e84a2468e2bcf962397d6ca5127e58322c834
test_023.jpg eb40897ddae3ceacae6ecc19406fc616f9ce15d6d0e943b199a21026f904c879
test_023.txt f26496fe0445c87be8404dc258f29dc66b9e037c7f9fe4793573f4f7a8848563
test_024.jpg 9f0d32fd7a21c0cef2289de9f168c94df32ebf65cbb39162d25fb2f95b547d2d
test_024.txt 0a6451bd8d8255c9f02854d6de546498a3ce29a506b86c85f96363a01ecef900
test_025.jpg 8f3b11fe0f7ae16f3bee2ba84746d24099b78cb2cb3f954fc6b204b656a6793b
test_025.txt 44428adf96746b81c5d339b401f23eb0e5636c2bb099663520b65a5ce1264108
test_026.jpg 637060489ccea01515c342e368e93bb366275cf7b2e13986647fa9c89f74ec63
test_026.txt 25dab187888663b50e419ac9f8259d287764d696dbb7250ff78b88064d53b224
test_027.jpg 6c19a5e5cd0ac0bb9aca355271fb4a5d5666f48a209c110b31acfdfa390fe2fc
test_027.txt ac403d7f5ef33c8f43c6ebcf5be35f624c8ce6750cf9be25f13ce221657fbb12
test_028.jpg 00cbdfd9d67eb8d13036cd5b365b22370e996b75e0f99da8212bf021b4c63c45
test_028.txt e706def26c5ee98e5c255292ad59a1f8546139a474bf9ce004e666a72c225154
test_029.jpg 95e344ef1b34f5d559a5567c5eac1763ca6809d0ee0a22506a7735b3954f431a
test_029.txt 6d4f41e1b9548b98603badfc81c4956bc3ea55dbd97e280fb6e2e93eeedfa588
test_030.jpg 8d1a396735d871772a427869690b928dfdb42b644e84a0de373efa80cd25b672
test_030.txt 7d4f6c26d442af4ac6c96d6b3f22c9270d3bc1b41ed18c77a6e4fef4900ef04e
test_031.jpg 4d483ab081bdcc1df59ac3e50a5eed9c5f079fa12fa4e30c8098fe88ffa4eac1
test_031.txt 0954c0d117cd05c13444b64a73e472faa4c3f02194178c1bf33eb78bcbe74d30
test_032.jpg 09f9a26660b9bae4156eb890a24cf49c06f5e60ad41b9473a8909155fc51f3aa
test_032.txt 127a2f2e11d0bfc31de89b08b01f44307fff34c9401d28cadf58dd1ca3935c42
test_033.jpg 7bf8cb509003643697c01352f993c32dc445c5c80eb1dbca3a746bfd3cf628ed
test_033.txt 6f8fd5543cc502c26dd130e2f6c6cdd666babd41fdfa3214b5d82516bfb59fa5
test_034.jpg 952d182fbce19742018c2cc994c55a89408b8aaf9913ceabe96a09870e9ca90b
test_034.txt c9c08d71cc7940bf3a9814b37d1e4bba221306fd3b6fa88d0133c804c6b526bb
test_035.jpg 2128e77128b1895af40c0d44f2a646548b30610a63d6fbd2ecb19e1b82633da1
test_035.txt 9a68a5ddd407bf459d7738b4301e4316a3963091156ddd7eed21eecee00431e4
test_036.jpg 1c1d7bc55c39cd4e044291fd9fc0d9181dc0dce7081e4ebc948a8522525c824e
test_036.txt a090cf7e4648ac35e270c8215cbc1ebf626b795b068d4cb36133796fc5daa6e2
test_037.jpg 13171b6eec6c6fb0467f368456dbeb2bc24a55e6bcd63b5def51410c2809a3ec
test_037.txt 59c9a44b12e88d87eccd384160048188a762f7389497cc2cdb3489d776e759ec
test_038.jpg 7a62efcdd64454b61bf28dfe5863592aa71ec8100a9e607a6f004fb1afcf2979
test_038.txt 90d1cab6dbba4c452baf273f9ceb9eb52a376b1b167f5c4d702d5732de1032c2
test_039.jpg 471015f983d86a555dc37abf2918b813bd5726ffc7000af7aee8076820d971f5
test_039.txt 85a2b30bd68e88fc4b9d3062e935e63d9ca31555676fab3ec6c3c2d56cb39ccb
test_040.jpg eaf9116e875f652119a01e5c56ebf110537dfd3817dc99df2f19687a2b5e71eb
test_040.txt 60b0fc05164289a591b58ac1ca5518029b4deefa08bf770895cfbc4450b63580
test_041.jpg 81a333e5870ded3a15a2bfa4c426abb4750891a365ad12032846a22f7cc433f8
test_041.txt ff22ac7c660b4c8d7266f4d7962f471c20e09fae905e45ec7aa547adbe1f7d15
test_042.jpg 02dd43b4a7ad7627b6805755ede9836bdc28742bf1a5cbc8c6f406dd5f6c94d6
test_042.txt eb3e86b3d0c890ca5fc52df928c86468b329594cd5c5e0c5ac20ca472bec3b04
test_043.jpg c0255b172c6d2ffc988b7f224629dd55469b3fbeed633f0b6b9cacae9a184d29
test_043.txt 3127f96615a04c25d40439cf55b7030013c91069d67ff12f67e767e082d7a9ac
test_044.jpg 58c0a1fcc1a8b839b63d0cb7438abf86f537bf49df0dc449efa78ab6ae256f74
test_044.txt 8b8f58cf27567d91f59a0cdd5a67c30671738ab8775ac4230f96a4c68f01464d
test_045.jpg 3c479294806f3b9757dfab6c844cab520513ef7d047d24f53b0994300d4c9e53
test_045.txt 305ecb74e7ff2ae740800b08b650e582b6a22dac0e19ce06dbd8fa0e3a95328b
test_046.jpg 3b37a7d63a9c69b817c4e63d3c37e07e033b9595e6621ba1223d9ec0890dfe51
test_046.txt d0395340ea088f548a8a24ae5a355e6c07645dced353044acd79bbb954fdfaf0
test_047.jpg a566e5b9067efdd3595d9fcf9ac64f5c53bb796bf571c8dca602a5b930530b2d
test_047.txt 82f5b48fbb987e0f7c28df9cc5789a8ed2a9e64938ffc87c887f0f62ff8b34d1
test_048.jpg 614c0fa6852197fc7097e5272c571148539fcffb02b67a91ea1316e076e094b3
test_048.txt e9013f08ea85eece6120feb6504d1528fbdf3bd135b09a2468d245004bb4b4a6
test_049.jpg 65e99824fc25f241a7fec96c6cfcbceeceabd891d00080f8a3ca761b5e7f8fe3
test_049.txt 9c9920eb2ceafeb95313b41a83e6f2eb04ae741aeee840a11da9a4577bede61d
test_050.jpg 9964ab7f54b5f8ea4768fc098c52ce7e89b3f03cd571f0a64edc97062beb74a6
test_050.txt b7fb070574aa4770489f310bebc53c1e914ab6862f6685173dd2e8e1f206d750
test_051.jpg 8ce60590754285bdd71231926b5332ca54d6341308be66f5d6be6eaccea4b296
test_051.txt d3322a6b45bf57c9a5dda0c52da458176ab984f0ae975c02a2d6b22c51d84b01
test_052.jpg a3375cac82be31b4cd94b15e8432b8316b9fe60b51931df6532a0966bea760df
test_052.txt 5d684b94b6ef877e8d64d7b69795c50da330abb20943ae3df6f873ee1d17faef
test_053.jpg 95f43436b7aa08d9844f530403645238af1f642298882a5dc77cc4ba8819c4a2
test_053.txt a36edd5b153738dcc75c9bade492c3d150518ce2cfb5e599edfc5ce5fb4b008a
test_054.jpg e928b576c2ce387002d4561a5e71bc0c50387b8de893cf6b175cac301c9bf059
test_054.txt 73b85ba7cb618b91867b01b63a2f4432d02641dea9d39200597e7d797e0c3eda
test_055.jpg 92c0d6b800f474e9ac1e1e0b870e99d74ed8f3d389ed5aa4da07b7c341fc624a
test_055.txt 2e8baf107b3811fc242cfc1dbe4688a7ccacb2487a3c92236d57473d7fac2d4e
test_056.jpg cfc7ae25d7217d131276ebeafd9fbf6cee2d2821043a14d58ff2ae5f923e4d93
test_056.txt b348a6bb1324edd8c5dbb0cf821185240f2c2b12da33fd333320b0b1a1a2d93c
test_057.jpg a784072a121dfba3ba8b719ebfd7d6cb3f3141f590d4b22a5be0530bdbf9c478
test_057.txt ba7b9b440316cc81b4be7a435f9a42b47bda8e502068e006f4a8f967d0060dee
test_058.jpg 3864129b56abeff1d260297bd2547096e2961770065fb638ff13663a9819d068
test_058.txt ef32e5bc0bcec40645b11785a0870b7c32b28cfa0e07c41093cdbed70572d94e
test_059.jpg c649749b8197ae98142133ba6c6d4ff7bd47fd36a7f8c7d9ee6a001a5d646340
test_059.txt d6c4b0aa6f5cec484fe6bcd9a9e1eb8f509ab72e77e8501ae8ea8e55fad93b0c
test_060.jpg 7fd7434fa0dbe8318cc7e42347174aa893d3d07442a0243a90fc48255bb439f6
test_060.txt c612aa8954ec6dcb9f6e8b5539638d4270676f440a7eb34def81e53c6254ea04
test_061.jpg 71e00ab5b652e5a6e32362b4323cd29d012b19d235d3f6e5e4358bcd68a8487c
test_061.txt dd039a5eff571bde9c09efe4002bc27525d257c88ac17f47c7d08a94f24cec94
test_062.jpg a8f0257b67512fb5a476b30a8c175aad4c36da028d6fb1eb1f2a11748f22c19b
test_062.txt 34567c24995e6f628f191338dde7fd9e4f18db0df53ee290e51341105c76f9cd
test_063.jpg 417a4e5af6c16154a8c764539a3081b9fccc9e5f79bbd9448be097c72e2fcf1e
test_063.txt e91fcf45f20200f2d0d05df2bca3f73c27cee69a88ff46166df537918b13ad3b
test_064.jpg f93c362acc969752a1c9d11019e0e894789c03b3d98326628c0905e74221261a
test_064.txt 951ab11906474d3f62ad7dfb08c80dd6ee827d9a193db3fcf9489b3abf363062
test_065.jpg 8442af66d9306d636651ece4bae2e9df2241bc59bfd7702cfd39c11f58579bca
test_065.txt 7340a13ba111ba470b347a16b72e1a0d87f3d4221bffe850a797e4ed7854a61b
test_066.jpg aa2cf577a1e31fa1b494313fc4ec1d7bf4d0ee53f5c05366c098df1aa151a407
test_066.txt 44c5443154257db2defdd4e1818ba0e34a10c138dbeb6e2f8fadedb604535e38
test_067.jpg 3308d42f90f9191e316c117f36159882271b4dd9bf964035de2fe210edcebdca
test_067.txt 1bd8b7a7c2be3ee7e8b4da2d73f3b20d9c2d281d920a1b7b1b52e8ba7d11ce53
test_068.jpg b9b7598f9c42d358cad5b9e3a27e8414963915ef3ba88da419118b5e8a0cb63e
test_068.txt 7b475571fa6ffd9c34d89da25648b7624a40cb8b5422628e1a9fdb23e94f51c1
test_069.jpg f3437910567fde0dea8ff6e02e921eedb554bd7c43d1307f791837a850fc18dd
test_069.txt 4b99720d79093b51f8fcb73ea362a4bfc6cf7c14c6c7863d495368c27c086551
test_070.jpg 42d2227ec1cac05b1a0df2bd9b7acf1fa5c7a810cdd8956345b18f3541eada22
test_070.txt 3fee86417d22cd6dcd8ed1da7dd09e13332c72dcaca578725e71fb102336e632
test_071.jpg f8a456a2f26cc092863a9c1b867f371eeb7cdc0974df89d6dea5b02a4475f217
test_071.txt 6b4ca96ac894104455a5dc888006fbc2b35420ab47187924309dc0540cd24033
test_072.jpg cb4a1ce08b405abbf4dcff2e881ea9aac5dfca3b62b22ccbab3d0e22b72b7122
test_072.txt 2870815ae3d371ebdfae29059becf7082306ca7cafeb2dc5aa88d8cfba6c7a7d
test_073.jpg 385e80533cd98b70be433d04dc8212f984f55713a0b57ccc3d489d13f5225526
test_073.txt 58e0acac16ff8e480a0eade3efc0232fa79de09bcc490af5875dc54fd8c5a338
test_074.jpg 5778f3a5288fe4b223a6fb1298acf197df94c85ba4068b92236ad30af8924a4f
test_074.txt 9cf561b862f56e8c762aa2a53bd30f5dda65f7cb8e54404ee0e0658e0ae0da61
test_075.jpg 9cad91fe20f909ac5f02a4cf8d4e966ad86ad0e3a96e1b15faad72c3dcf5b444
test_075.txt e57bf130bf57ea2fb2a31678c9b0319c7e55457e17abb6b1c89f5fea612e9fce
test_076.jpg 19cf4fd92128815bcfb6b1cdd89acdbd34f837fd384a2d4ce489dff7ccba130c
test_076.txt a280caba312c4263145d2788ece8e03316b627bda6ccb69311c7aa1082c96c95
test_077.jpg 4926b902cf038417f2ab8cd26cf0c38f814f15a04ef0b6bd6228b820b51fc52d
test_077.txt 4907b28afe64994434c0b8d498653ce925f9a80687cb4c15970be75f793b19ba
test_078.jpg 85d2ab55b5a4347f7ac02d500bd0a114cb25a6b28a5c7ffc38237a8fa502f9e3
test_078.txt 74d6777cc81602dc7f8079017126026a7fd626d9cb41015bd247cad1b62c1d54
test_079.jpg e379b7991fc9d19b6d185514799529306d56dddcb234d3c374dabf9f4cabdde8
test_079.txt 011c8ae34d2867a0d05c5b4383165af95f1997d6aa5917bf4beb883761e1e240
test_080.jpg 3afbd67fc0ae9075480cedd23ca8fa552926c417d68a07530ed7505e36492689
test_080.txt b02459eec5880988a676978e73d2513c90a81c7143011d3974b786c3e2fdf712
test_081.jpg 6bd20c4ec8d8f483f1ebe11927b3dcf040b0e0fac1c8ec648ffd67652b309851
test_081.txt f7bda6f3826991e4b6f76d5075fba57077b52a2965dec0490120b473f4e689fa
test_082.jpg 9b45d23520c6dd69d0c32ef202e76cd16b91db8eda2f1813b3dd1ab669c79df2
test_082.txt a4dbdcb9f0f98ebe1687836c8244f33b9671c52b9fbe7d8a8b93081fe189fd94
test_083.jpg 077a0dcd7e58be9193e0ad13d61bd8cd829e7b3a2f2797f7286d3a14f65d266b
test_083.txt 75f9716ba082e55d475d074f1ff0224c9a1872ba8d3a7e5989307e299a8093e3
test_084.jpg bf9702e8280c606a911aaedd5e9d367a041fac5cbb4b03ae053e71766e845963
test_084.txt 5e9d1ec4d23b0c382eb31c9e1e91673e92029307ef97ca638650774027ee1b74
test_085.jpg d166219587b4390a0a6ebbf2590dc3065235bca33156002a256cfd1f6e3791c9
test_085.txt 6bcb3f77768fe7202a15b547a806ca487e85b5d299dababa568bfd5025c54d8e
test_086.jpg a07c786bcb941c7abbdcac1ef123698ce5c05e5732ef0f818597d77f74a4ab00
test_086.txt 0402f3b5a39e3574a9531fcbef8a2a5f2516ec2f575561653cd0fa1d419eaaac
test_087.jpg 6cff4d692e80974ea41dc07ea42f53d2d8d26634d02ec9b475cc1eb250d24300
test_087.txt 81bb891ff5231d033024d0e53d7882dab7d9204308bcef0f51318f3cd53dfc35
test_088.jpg fe0923a75d20392f80653e054c572e37a6d3cbc1f74e3d29226ea0b6246fccac
test_088.txt 27fc48c6af352ca2b5716496b0bc165586c1e4998cf4ac34f2e31a7f9b0e0011
test_089.jpg 31761e9859246ad331caf4a7ad37cc942fe0421b478a7f369237ef33cb883276
test_089.txt 2e649334cddf4a2ffdd17a91bcac7188583c8225012b6d53bafe16ef40cfcb65
test_090.jpg 85eb2ee34169eb3d1388f47762011060a55c02eb8ca8f1866d77a80e85c50b71
test_090.txt 10a6c7426fa208fd8258cf3c19ca9230d5fd6d323e08187d2bd5fcb2412969e0
test_091.jpg 53642d193037077b683f68f5496d52764e28a522c8e43e29b1bbdadc5de55ea7
test_091.txt 988f542fb15f25937f2615d4cee70686e1d07baca40e14da5aba5db954c2693b
test_092.jpg 0c6b0220e4ea7b70f0461f22856c85e70ce289224fea2e12540b5609bc9fa040
test_092.txt a39383554c6aaaa2463abe16eefe7175622eea604ae16618672f9b6e659e9d6d
test_093.jpg 4abc14d92851ff73616b1fbbf255af1b3e4524df79c277e079f5a2e268d65c4b
test_093.txt fc6c502911dadef441d84b56395857f6327d1434e805ac9dcc0c96d0c2ef4609
test_094.jpg bcc4888894456605b23904d9c3480b2dca9294c94521977c44ec993115fd997c
test_094.txt 67aa2ede2249d7b9c744b5ec608abf7e0a04551f1ff9b9496faf8c3753b82277
test_095.jpg 2a65aa994c3128f4a4a62a21a489a2b2345c7e0eb65da9b4f28b99d08d81589c
test_095.txt ad98cf30d5fc5148f4d407b97bed5906da82ed9253ffbc321e02ef3d288931d5
test_096.jpg 6d5c1b03429212379b8188c4e1acfa1a7fa5548c3d50720ad86ea0b579727e12
test_096.txt 33261c78bf75681c12268fa2572fbc205243a915a5289399a6f5c0debbfd1427
test_097.jpg 13d1845446c1dc57068cd3f2bf93d80b650f0eb5ac81b1e81cfe3bc7bfc1b46b
test_097.txt 90b7646bf6e773cd5e49b6a45120bf0a6f8acc173e521600fb0eb75f63205583
"""

_KR_CROPS_REGISTRY = """
aziz_cctv_train_01aj1010_00479.jpg 41f8fb0dbd7acef036b6f70327266d6c9db5f48a008a101e96ece3d85de93b6e
aziz_cctv_train_01ak3698_01112.jpg dee8b32e98768a5521245a99c7ce7f12f237de23a1994d2c438bd63afd6b5b5e
aziz_cctv_train_01dn5112_01181.jpg a7fc789c14336d89ad51985e5f8a8f06bd94061381e85c3fa1f64a5b3d1a4c36
aziz_cctv_train_01gk2821_00316.jpg adafca4ba1c025b38da491f14995d664e8368585b8e9964a26004e2d588c39ba
aziz_cctv_train_01sn2450_00180.jpg cfbc8f2ed5002aa133f54aefcd2e5f65058a55701a0ba0ee439400ea4a0c0e91
aziz_cctv_train_01tn2289_00713.jpg 975d388c2422b1bdbaa06f83e85501dfb7718c7e4f2822cea88fd90665b154a0
aziz_cctv_train_01tn4928_01113.jpg 8ab24c3e425e36bbfddd12506dbc9d1c3129d073d87c3a9c2d299a7b817a7d0b
aziz_cctv_train_01wh1433_01172.jpg 52fc663e7c4b60276dd9eb13e8ee9db7f47d3236966f8bc0154e892913096862
aziz_cctv_train_02ah2349_00514.jpg c8d1896919d9ac0b31c0f0ae543ce88d735734f4b56985aab53acbc2476fb1b9
aziz_cctv_train_02rj7150_01074.jpg 64619cdbeb194a64b194352c1c32b2f653ee30dc924959c1eb0dd24e7f9ca662
aziz_parking_train_01ah8812_0789.jpg f657a56a1752598f701c558ce48badfdb458089bf2546a1c7b3a35c0475b8bf9
aziz_parking_train_01fn1721_0108.jpg dd33b95de3458c620ab3056cad21a099c798235a2af7d432d983258060eab002
aziz_parking_train_08tj5008_0917.jpg 130c8cc33c7fb8afa5f846f2f6deda9bcbc67a6671a419f435187bce26ac0932
aziz_parking_train_09rh6600_0719.jpg bc30f15fccfd49c2a9b1926eecc70a1134525e207d26dd0cc75ec20c3f3e01f8
aziz_parking_train_12sj2532_0727.jpg 06020180077ae02daa6dc72caa8ffe8114ab0270592b252b2ee86a8f2c15c165
aziz_parking_train_12sj2532_0794.jpg 85b57476aebe479184dafdf98d8a384876d67750e5d51efedcbe9f1080082330
aziz_parking_train_25wh0848_0724.jpg 577969cac741c909edc6efa6718f8dce0ed22231be87eb1512144ddf0b1ba3d9
aziz_parking_train_51en9307_0177.jpg 7653288ae5be2c0e304cbac3c57a27a4b1ec373496e164e00e7220fb34d8b42f
aziz_parking_train_52en1331_0462.jpg 24dd7eed87ed5fb9d710388d89550d6beb063761c430ea6b6144dfe2f1be5a20
aziz_parking_train_52fj3464_0772.jpg 8c89cb63ad5ba78377e1021c4a4d02f9c9e956d9c10c953d73cc4509483d3294
"""

OPENALPR_EU_SHA256: dict[str, str] = _parse_registry(_OPENALPR_EU_REGISTRY)
KR_CROPS_SHA256: dict[str, str] = _parse_registry(_KR_CROPS_REGISTRY)
