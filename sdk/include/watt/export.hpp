// Symbol visibility: the tree builds with hidden visibility, so the SDK's API
// and each agent's C entry points are marked for export explicitly.
#pragma once

#define WATT_EXPORT __attribute__((visibility("default")))
