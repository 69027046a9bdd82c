"""The reporting app's reads: what a document shows (`documents`, its `cost_items`), the
stored documents and their trail (`stored`), and the register of state grants (`register`)."""
