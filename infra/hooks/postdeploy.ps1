# Windows twin of postdeploy.sh: subscribes each blob-triggered function (source: EventGrid) to
# the feedback storage account's Event Grid system topic. The key is never printed.
$ErrorActionPreference = 'Stop'

foreach ($name in 'AZURE_FUNCTION_APP_NAME', 'AZURE_RESOURCE_GROUP', 'SERVICE_API_URI',
  'FEEDBACK_STORAGE_SYSTEM_TOPIC_NAME', 'BLOB_TRIGGER_SUBSCRIPTIONS') {
  if (-not [Environment]::GetEnvironmentVariable($name)) {
    throw "postdeploy: $name is missing; run azd provision first"
  }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  throw 'postdeploy: the Azure CLI (az) is required to create the Event Grid subscriptions'
}

$app = $env:AZURE_FUNCTION_APP_NAME
$group = $env:AZURE_RESOURCE_GROUP
$blobsKey = ''
for ($attempt = 1; $attempt -le 20 -and -not $blobsKey; $attempt++) {
  $blobsKey = az functionapp keys list --resource-group $group --name $app --query 'systemKeys.blobs_extension' --output tsv 2>$null
  if (-not $blobsKey) {
    Write-Host "postdeploy: waiting for the blobs_extension system key ($attempt/20)"
    Start-Sleep -Seconds 15
  }
}
if (-not $blobsKey) {
  throw "postdeploy: no blobs_extension key on $app; is a blob trigger with source EventGrid deployed?"
}

foreach ($pair in $env:BLOB_TRIGGER_SUBSCRIPTIONS.Split(' ', [StringSplitOptions]::RemoveEmptyEntries)) {
  $functionName, $container = $pair.Split('=', 2)
  az functionapp function show --resource-group $group --name $app --function-name $functionName --output none 2>$null
  if ($LASTEXITCODE -ne 0) {
    Write-Host "postdeploy: function '$functionName' is not deployed; skipping container '$container'"
    continue
  }
  $endpoint = "$($env:SERVICE_API_URI)/runtime/webhooks/blobs?functionName=Host.Functions.$functionName&code=$blobsKey"
  Write-Host "postdeploy: subscribing '$functionName' to BlobCreated in container '$container'"
  az eventgrid system-topic event-subscription create `
    --resource-group $group `
    --system-topic-name $env:FEEDBACK_STORAGE_SYSTEM_TOPIC_NAME `
    --name "$functionName-$container" `
    --endpoint-type webhook `
    --endpoint $endpoint `
    --included-event-types Microsoft.Storage.BlobCreated `
    --subject-begins-with "/blobServices/default/containers/$container/" `
    --output none
  if ($LASTEXITCODE -ne 0) { throw "postdeploy: could not subscribe '$functionName'" }
}
Write-Host 'postdeploy: Event Grid subscriptions are in place'
