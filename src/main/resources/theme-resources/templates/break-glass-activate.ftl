<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('reason','ticket','roles','duration'); section>
<#if section = "header">
    ${msg("breakGlassActivateTitle")}
<#elseif section = "form">
    <div id="bg-banner" class="bg-banner" role="alert" style="border:2px solid #c9190b;background:#faeaea;color:#7d1007;padding:0.75rem;margin-bottom:1rem;font-weight:600;">
        ${msg("breakGlassBanner")}
    </div>
    <form id="bg-activate-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post" novalidate="novalidate">
        <div class="${properties.kcFormGroupClass!}">
            <label for="reason" class="${properties.kcLabelClass!}">${msg("breakGlassReason")}</label>
            <textarea id="reason" name="reason" rows="4" class="${properties.kcInputClass!}" maxlength="1000"
                aria-describedby="reason-help" aria-invalid="<#if messagesPerField.existsError('reason')>true</#if>">${breakGlass.reason}</textarea>
            <div id="reason-help" class="bg-help">${msg("breakGlassReasonHelp", breakGlass.minReasonLength?c)}</div>
            <#if messagesPerField.existsError('reason')>
                <span id="input-error-reason" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('reason'))?no_esc}</span>
            </#if>
        </div>

        <div class="${properties.kcFormGroupClass!}">
            <label for="ticket" class="${properties.kcLabelClass!}">${msg("breakGlassTicket")}</label>
            <input id="ticket" name="ticket" type="text" value="${breakGlass.ticket}" class="${properties.kcInputClass!}" maxlength="64"
                autocomplete="off" aria-describedby="ticket-help" aria-invalid="<#if messagesPerField.existsError('ticket')>true</#if>"/>
            <div id="ticket-help" class="bg-help">${msg("breakGlassTicketHelp", breakGlass.ticketExample)}</div>
            <#if messagesPerField.existsError('ticket')>
                <span id="input-error-ticket" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('ticket'))?no_esc}</span>
            </#if>
        </div>

        <fieldset class="${properties.kcFormGroupClass!}" aria-describedby="roles-help">
            <legend class="${properties.kcLabelClass!}">${msg("breakGlassRoles")}</legend>
            <#list breakGlass.roles as role>
                <div class="bg-role">
                    <input id="role-${role?index}" name="roles" type="checkbox" value="${role.name}" <#if role.selected>checked</#if>/>
                    <label for="role-${role?index}"><strong>${role.name}</strong><#if role.description?has_content> &ndash; ${role.description}</#if></label>
                </div>
            </#list>
            <#if messagesPerField.existsError('roles')>
                <span id="input-error-roles" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('roles'))?no_esc}</span>
            </#if>
        </fieldset>

        <div class="${properties.kcFormGroupClass!}">
            <label for="duration" class="${properties.kcLabelClass!}">${msg("breakGlassDuration")}</label>
            <input id="duration" name="duration" type="number" min="1" max="${breakGlass.maxDuration?c}" value="${breakGlass.duration}"
                class="${properties.kcInputClass!}" aria-describedby="duration-help" aria-invalid="<#if messagesPerField.existsError('duration')>true</#if>"/>
            <div id="duration-help" class="bg-help">${msg("breakGlassDurationHelp", breakGlass.maxDuration?c)}</div>
            <#if messagesPerField.existsError('duration')>
                <span id="input-error-duration" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('duration'))?no_esc}</span>
            </#if>
        </div>

        <div id="kc-form-buttons" class="${properties.kcFormButtonsClass!}">
            <input id="bg-activate" class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!} ${properties.kcButtonLargeClass!}"
                type="submit" value="${msg("breakGlassActivate")}"/>
            <#if isAppInitiatedAction??>
                <button id="bg-cancel" class="${properties.kcButtonClass!} ${properties.kcButtonDefaultClass!} ${properties.kcButtonBlockClass!} ${properties.kcButtonLargeClass!}"
                    type="submit" name="cancel-aia" value="true">${msg("doCancel")}</button>
            </#if>
        </div>
    </form>
</#if>
</@layout.registrationLayout>
