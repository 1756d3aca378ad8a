#!/bin/sh
# Subscribes each blob-triggered function (source: EventGrid) to the feedback storage account's
# Event Grid system topic. Runs after `azd deploy`: the webhook needs the host's blobs_extension
# system key, which exists only once the deployed code has started. Safe to re-run (create is
# create-or-update). The key is never printed.
set -eu

: "${AZURE_FUNCTION_APP_NAME:?missing; run azd provision first}"
: "${AZURE_RESOURCE_GROUP:?missing; run azd provision first}"
: "${SERVICE_API_URI:?missing; run azd provision first}"
: "${FEEDBACK_STORAGE_SYSTEM_TOPIC_NAME:?missing; run azd provision first}"
: "${BLOB_TRIGGER_SUBSCRIPTIONS:?missing; run azd provision first}"

if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI (az) is required to create the Event Grid subscriptions" >&2
  exit 1
fi

# The host writes the system key when the blob extension first starts; give it a few minutes.
blobs_key=""
attempt=0
while [ -z "$blobs_key" ] && [ "$attempt" -lt 20 ]; do
  blobs_key=$(az functionapp keys list \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  if [ -z "$blobs_key" ]; then
    attempt=$((attempt + 1))
    echo "postdeploy: waiting for the blobs_extension system key ($attempt/20)"
    sleep 15
  fi
done
if [ -z "$blobs_key" ]; then
  echo "postdeploy: no blobs_extension key on $AZURE_FUNCTION_APP_NAME; is a blob trigger with source EventGrid deployed?" >&2
  exit 1
fi

for pair in $BLOB_TRIGGER_SUBSCRIPTIONS; do
  function_name=${pair%%=*}
  container=${pair#*=}
  if ! az functionapp function show --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
    --function-name "$function_name" --output none 2>/dev/null; then
    echo "postdeploy: function '$function_name' is not deployed; skipping container '$container'"
    continue
  fi
  endpoint="$SERVICE_API_URI/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$blobs_key"
  echo "postdeploy: subscribing '$function_name' to BlobCreated in container '$container'"
  az eventgrid system-topic event-subscription create \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --system-topic-name "$FEEDBACK_STORAGE_SYSTEM_TOPIC_NAME" \
    --name "$function_name-$container" \
    --endpoint-type webhook \
    --endpoint "$endpoint" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/$container/" \
    --output none
done
echo "postdeploy: Event Grid subscriptions are in place"
