"""A catalog file uploaded from the panel: what it would change, and applying it.

The change summary itself is pure (domain/catalog_diff.py); this module adds what only the database knows
(the current catalog, receipts that name a group the file drops) and replaces the catalog. It flushes but
never commits: the caller commits the replacement together with its audit entry (all or nothing).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.catalog import export_spec, replace_catalog
from happykids.db.repositories.catalog_items import receipts_with_group
from happykids.domain.catalog_diff import CatalogChanges, diff_specs
from happykids.domain.catalog_yaml import CatalogSpec


async def import_preview(session: AsyncSession, new: CatalogSpec) -> CatalogChanges:
    """What replacing the current catalog with `new` changes, and the receipts of groups it removes."""
    old = await export_spec(session)
    changes = diff_specs(old, new)
    new_codes = {g.code for g in new.groups}
    for group in old.groups:
        if group.code not in new_codes:
            count = await receipts_with_group(session, group.code)
            if count:
                changes.groups_with_receipts[group.title] = count
    return changes


async def apply_import(session: AsyncSession, new: CatalogSpec) -> CatalogChanges:
    """Replace the catalog with `new`; returns what changed (for the audit entry)."""
    changes = await import_preview(session, new)
    await replace_catalog(session, new)
    return changes
